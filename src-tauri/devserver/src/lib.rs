//! A local Plexichat-compatible server (work in progress).
