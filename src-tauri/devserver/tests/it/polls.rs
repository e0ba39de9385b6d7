//! Polls against shared/recorded/messaging.txt ("polls") and gateway-events.txt: the recorded
//! flow is replayed step by step (alice creates, bob and gina vote, carol is no member), and
//! every answer must have the recorded status, error message and JSON key set.

use crate::common::{shared_server, start, user, Api, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const RECORDING: &str = include_str!("../../../../tests/fixtures/recorded/messaging.txt");

/// The JSON response body recorded under `### {title}`.
fn recorded_body(title: &str) -> Value {
    let mut lines = RECORDING
        .lines()
        .skip_while(|l| *l != format!("### {title}"));
    assert!(
        lines.next().is_some(),
        "no exchange titled {title:?} in messaging.txt"
    );
    let body = lines
        .take_while(|l| !l.starts_with("### "))
        .filter_map(|l| l.strip_prefix("< "))
        .find(|l| l.starts_with('{') || l.starts_with('['))
        .unwrap_or_else(|| panic!("no body under {title:?}"));
    serde_json::from_str(body).expect("recorded body is JSON")
}

/// Every key path of `v` (array items merged), e.g. `poll.options[].vote_count`.
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{prefix}.{k}");
                out.insert(p.clone());
                key_paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                key_paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn assert_shape(reply: &Reply, title: &str) {
    let recorded = recorded_body(title);
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    key_paths(&recorded, "", &mut want);
    key_paths(&reply.body, "", &mut got);
    assert_eq!(got, want, "key set of {title:?}");
    if let Some(message) = recorded["error"]["message"].as_str() {
        assert_eq!(reply.message(), message, "{title}");
    }
}

#[tokio::test]
async fn the_recorded_poll_flow_is_reproduced() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice_rec").await;
    let bob = user(&server, "bob_rec").await;
    let gina = user(&server, "gina_rec2").await;
    let carol = user(&server, "carol_rec").await;
    let s = shared_server(&server, &alice, "rec2-community", &[&bob, &gina]).await;
    let channel = &s.general_channel_id;
    let (a, b, g, c) = (
        Some(alice.token.as_str()),
        Some(bob.token.as_str()),
        Some(gina.token.as_str()),
        Some(carol.token.as_str()),
    );

    // Inline poll: the message answer carries poll, poll_results and metadata.poll_id (a number).
    let inline = api
        .post(
            &format!("/channels/{channel}/messages"),
            a,
            json!({"content":"inline poll","poll":{"question":"Best colour?","options":["red","green","blue"],"duration_hours":1}}),
        )
        .await;
    assert_eq!(inline.status, StatusCode::OK);
    assert_shape(&inline, "send message with inline poll (alice)");
    let poll_id = inline.body["poll"]["id"]
        .as_str()
        .expect("poll id")
        .to_owned();
    assert_eq!(
        inline.body["metadata"]["poll_id"]
            .as_u64()
            .map(|n| n.to_string()),
        Some(poll_id.clone())
    );
    assert!(inline.body["poll"]["options"][0]["vote_count"].is_null());
    let option = |i: usize| {
        inline.body["poll"]["options"][i]["id"]
            .as_str()
            .expect("option id")
            .to_owned()
    };

    let one_option = api
        .post(
            &format!("/channels/{channel}/messages"),
            a,
            json!({"content":"x","poll":{"question":"one option only","options":["only"]}}),
        )
        .await;
    assert_eq!(one_option.status, StatusCode::BAD_REQUEST);
    assert_shape(&one_option, "create poll with a single option");

    let get = api.get(&format!("/polls/{poll_id}"), b).await;
    assert_shape(&get, "GET poll (bob)");
    let outsider = api.get(&format!("/polls/{poll_id}"), c).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    assert_shape(&outsider, "GET poll as non-member (carol)");

    let vote = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            b,
            json!({"option_ids":[option(0)]}),
        )
        .await;
    assert_shape(&vote, "vote (bob, option red)");
    assert_eq!(vote.body["options"][0]["vote_count"], 1);
    assert_eq!(vote.body["user_votes"], json!([option(0)]));

    let again = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            b,
            json!({"option_ids":[option(1)]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_shape(&again, "vote again (bob, switch to green)");
    let two = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            g,
            json!({"option_ids":[option(0), option(2)]}),
        )
        .await;
    assert_shape(&two, "vote two options on a single-choice poll (bob)");
    let unknown = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            g,
            json!({"option_ids":["999999999999999999"]}),
        )
        .await;
    assert_eq!(
        unknown.message(),
        "One or more selected options are invalid for this poll"
    );

    let gina_vote = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            g,
            json!({"option_ids":[option(1)]}),
        )
        .await;
    assert_shape(&gina_vote, "vote (gina_rec2, green)");
    let results = api.get(&format!("/polls/{poll_id}/results"), a).await;
    assert_shape(&results, "GET poll results (alice)");
    assert_eq!(results.body["total_votes"], 2);
    assert_eq!(results.body["user_voted"], false);

    let not_creator = api
        .post(&format!("/polls/{poll_id}/close"), b, json!({}))
        .await;
    assert_eq!(not_creator.status, StatusCode::FORBIDDEN);
    assert_shape(&not_creator, "close poll as non-creator (bob)");
    let close = api
        .post(&format!("/polls/{poll_id}/close"), a, json!({}))
        .await;
    assert_shape(&close, "close poll (alice)");
    assert_eq!(close.body["is_ended"], true);
    let twice = api
        .post(&format!("/polls/{poll_id}/close"), a, json!({}))
        .await;
    assert_eq!(
        (twice.status, twice.message()),
        (StatusCode::BAD_REQUEST, "Poll has already ended")
    );
    let late = api
        .post(
            &format!("/polls/{poll_id}/vote"),
            g,
            json!({"option_ids":[option(2)]}),
        )
        .await;
    assert_shape(&late, "vote after close (gina_rec2)");

    // The message keeps its poll, with the caller's own votes.
    let message_id = inline.body["id"].as_str().expect("message id");
    let held = api
        .get(&format!("/channels/{channel}/messages/{message_id}"), b)
        .await;
    assert_shape(
        &held,
        "GET the message holding the poll (poll/poll_results fields)",
    );
    assert_eq!(held.body["poll_results"]["user_votes"], json!([option(0)]));
    let gone = api.get("/polls/999999999999999999", a).await;
    assert_eq!(
        (gone.status, gone.message()),
        (StatusCode::NOT_FOUND, "Poll not found")
    );
}
