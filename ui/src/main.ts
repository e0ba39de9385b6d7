import { mount } from "svelte";
import App from "./App.svelte";
import { mark, reportFirstPaint } from "./lib/startup-trace";
import "./app.css";

// Module imports run first, so this is "the first chunk is parsed and evaluated".
mark("script-parsed");
const target = document.getElementById("app");
if (!target) throw new Error("missing #app");
const app = mount(App, { target });
mark("first-mount");
reportFirstPaint(target);
export default app;
