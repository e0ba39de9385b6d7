//! Polls end to end: an inline poll arrives on its message, votes change the counts, and each
//! refusal the server gives comes back as a `PollRefusal` with the current results.

use plexichat_core::poll::{NewPoll, PollRefusal};
use plexichat_core::ui_state::UiState;

use crate::support::{member, timed, Target};

#[tokio::test]
async fn create_vote_refusals_and_close() {
    // Needs a server both users are in, which only the devserver can set up.
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id) = member(&target, "alice").await;
    let (bob, bob_id) = member(&target, "bob").await;
    let s = target.server(&alice_id, "Polls").await;
    target
        .dev()
        .add_member(&s.id, &bob_id)
        .await
        .expect("bob joins");
    let channel = s.general_channel_id;

    let rejected = alice
        .create_poll(
            &channel,
            &NewPoll {
                question: "Lunch?".into(),
                options: vec!["pizza".into(), " ".into()],
                duration_hours: None,
                allow_multiple_choice: false,
            },
        )
        .await
        .expect_err("one option");
    assert!(
        matches!(&rejected.state, UiState::InvalidInput { field: Some(f), .. } if f == "options"),
        "{rejected:?}"
    );

    let poll = NewPoll {
        question: " Lunch? ".into(),
        options: vec!["pizza".into(), "sushi".into()],
        duration_hours: Some(24),
        allow_multiple_choice: false,
    };
    let message = timed(alice.create_poll(&channel, &poll))
        .await
        .expect("poll posted");
    assert_eq!(message.content, "📊 Poll: Lunch?");
    let poll_id = message.poll.expect("the message carries its poll").id;

    // The history shows the poll on its message too.
    let history = timed(bob.history(&channel, &Default::default()))
        .await
        .expect("history");
    assert_eq!(
        history[0].poll.as_ref().map(|p| p.id.as_str()),
        Some(poll_id.as_str())
    );

    let results = timed(bob.poll_results(&poll_id)).await.expect("results");
    assert_eq!(results.poll.question, "Lunch?");
    assert!(results.poll.ends_at.is_some());
    let (pizza, sushi) = (results.options[0].id.clone(), results.options[1].id.clone());

    let voted = timed(bob.vote_poll(&poll_id, std::slice::from_ref(&pizza)))
        .await
        .expect("vote");
    assert_eq!(voted.refusal, None);
    let counted = voted.results.expect("results");
    assert_eq!(
        (counted.options[0].vote_count, counted.user_votes.clone()),
        (Some(1), vec![pizza.clone()])
    );

    let again = timed(bob.vote_poll(&poll_id, std::slice::from_ref(&sushi)))
        .await
        .expect("refusal is an answer");
    assert_eq!(again.refusal, Some(PollRefusal::AlreadyVoted));
    assert_eq!(again.results.expect("current results").total_votes, 1);

    let both = timed(alice.vote_poll(&poll_id, &[pizza.clone(), sushi.clone()]))
        .await
        .expect("answer");
    assert_eq!(both.refusal, Some(PollRefusal::SingleChoice));

    let not_creator = timed(bob.close_poll(&poll_id)).await.expect("answer");
    assert_eq!(not_creator.refusal, Some(PollRefusal::NotCreator));

    let closed = timed(alice.close_poll(&poll_id)).await.expect("closed");
    assert_eq!(closed.refusal, None);
    assert!(closed.results.expect("final results").poll.is_ended);

    let late = timed(alice.vote_poll(&poll_id, &[sushi]))
        .await
        .expect("answer");
    assert_eq!(late.refusal, Some(PollRefusal::Ended));
    let twice = timed(alice.close_poll(&poll_id)).await.expect("answer");
    assert_eq!(twice.refusal, Some(PollRefusal::Ended));

    let gone = timed(alice.vote_poll("999999999999999999", &[pizza]))
        .await
        .expect("answer");
    assert_eq!(
        (gone.refusal, gone.results),
        (Some(PollRefusal::NotFound), None)
    );
}
