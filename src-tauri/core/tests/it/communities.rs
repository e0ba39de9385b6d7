//! Communities end to end: a server made through the client, invites previewed and joined,
//! every refusal the reference gives turned into its designed state, and our own writes
//! winning over stale lists.

use plexichat_core::community::{
    ChannelEdit, InviteCheck, InviteRefusal, JoinOutcome, NewInvite, ServerEdit,
};
use plexichat_core::ui_state::UiState;

use crate::support::{member, timed, Target};

#[tokio::test]
async fn a_new_account_joins_by_a_pasted_link_after_a_preview() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (owner, _) = member(&target, "owner").await;
    let (newcomer, _) = member(&target, "newcomer").await;
    assert!(timed(newcomer.servers()).await.unwrap().is_empty());

    let server = timed(owner.create_server("Book Club", Some("we read")))
        .await
        .expect("created");
    assert!(timed(owner.servers())
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == server.id));
    let general = timed(owner.channels(&server.id)).await.unwrap()[0]
        .id
        .clone();
    let invite = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 3600,
            max_uses: 10,
        },
    ))
    .await
    .expect("invite");
    assert!(invite.expires_at.is_some(), "expiry filled from max_age");
    let link = owner.invite_link(&invite.code);
    assert!(link.starts_with("plexichat://invite/") && link.contains(&invite.code));

    let check = timed(newcomer.check_invite(&link)).await.expect("checked");
    let InviteCheck::Open {
        preview,
        inviter_name,
    } = check
    else {
        panic!("{check:?}")
    };
    assert_eq!(preview.server_id, server.id);
    assert_eq!(
        preview.server_name, None,
        "the reference hides the name from non-members"
    );
    assert!(inviter_name.is_some_and(|n| n.starts_with("owner")));

    let joined = timed(newcomer.join_invite(&link)).await.expect("joined");
    let JoinOutcome::Joined { server: got } = joined else {
        panic!("{joined:?}")
    };
    assert_eq!(got.id, server.id);
    assert_eq!(got.name, "Book Club");
    assert!(timed(newcomer.servers())
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == server.id));

    // Joining again, and looking it up as a member: already a member, not an error.
    let again = timed(newcomer.join_invite(&invite.code)).await.unwrap();
    assert!(
        matches!(
            again,
            JoinOutcome::Refused {
                reason: InviteRefusal::AlreadyMember,
                ..
            }
        ),
        "{again:?}"
    );
    let seen = timed(newcomer.check_invite(&invite.code)).await.unwrap();
    assert!(
        matches!(
            seen,
            InviteCheck::Refused {
                reason: InviteRefusal::AlreadyMember,
                ..
            }
        ),
        "{seen:?}"
    );
}

#[tokio::test]
async fn every_refusal_the_reference_gives_has_its_state() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (owner, _) = member(&target, "owner").await;
    let (first, _) = member(&target, "first").await;
    let (second, second_id) = member(&target, "second").await;
    let server = timed(owner.create_server("Refusals", None)).await.unwrap();
    let general = timed(owner.channels(&server.id)).await.unwrap()[0]
        .id
        .clone();

    // Used up: the preview still answers 200, the join answers 500; neither is an outage.
    let single = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 3600,
            max_uses: 1,
        },
    ))
    .await
    .unwrap();
    assert!(matches!(
        timed(first.join_invite(&single.code)).await.unwrap(),
        JoinOutcome::Joined { .. }
    ));
    let check = timed(second.check_invite(&single.code)).await.unwrap();
    assert!(
        matches!(
            check,
            InviteCheck::Refused {
                reason: InviteRefusal::UsedUp,
                preview: Some(_)
            }
        ),
        "{check:?}"
    );
    let join = timed(second.join_invite(&single.code)).await.unwrap();
    assert!(
        matches!(
            join,
            JoinOutcome::Refused {
                reason: InviteRefusal::UsedUp,
                ..
            }
        ),
        "{join:?}"
    );
    assert_eq!(
        target
            .dev()
            .request_count("POST", &format!("/channels/invites/{}", single.code)),
        2,
        "the 500 was not retried"
    );

    // Unknown, then revoked (seen before), then expired.
    let unknown = timed(second.check_invite("NoSuchCode12")).await.unwrap();
    assert!(matches!(
        unknown,
        InviteCheck::Refused {
            reason: InviteRefusal::Unknown,
            ..
        }
    ));
    let open = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 0,
            max_uses: 0,
        },
    ))
    .await
    .unwrap();
    assert!(matches!(
        timed(second.check_invite(&open.code)).await.unwrap(),
        InviteCheck::Open { .. }
    ));
    timed(owner.revoke_invite(&open.code))
        .await
        .expect("revoked");
    let revoked = timed(second.join_invite(&open.code)).await.unwrap();
    assert!(
        matches!(
            revoked,
            JoinOutcome::Refused {
                reason: InviteRefusal::Revoked,
                ..
            }
        ),
        "{revoked:?}"
    );
    let short = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 1,
            max_uses: 0,
        },
    ))
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let expired = timed(second.check_invite(&short.code)).await.unwrap();
    assert!(
        matches!(
            expired,
            InviteCheck::Refused {
                reason: InviteRefusal::Expired,
                ..
            }
        ),
        "{expired:?}"
    );
    let expired = timed(second.join_invite(&short.code)).await.unwrap();
    assert!(
        matches!(
            expired,
            JoinOutcome::Refused {
                reason: InviteRefusal::Expired,
                ..
            }
        ),
        "{expired:?}"
    );

    // Banned before ever joining.
    timed(owner.ban_member(&server.id, &second_id, Some("spam")))
        .await
        .expect("banned");
    let lasting = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 0,
            max_uses: 0,
        },
    ))
    .await
    .unwrap();
    let banned = timed(second.join_invite(&lasting.code)).await.unwrap();
    assert!(
        matches!(
            banned,
            JoinOutcome::Refused {
                reason: InviteRefusal::Banned,
                ..
            }
        ),
        "{banned:?}"
    );
    let bans = timed(owner.bans(&server.id)).await.unwrap();
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].reason.as_deref(), Some("spam"));
    // A second ban is the reference's 500: a refusal shown inline, not retried.
    let again = timed(owner.ban_member(&server.id, &second_id, None))
        .await
        .unwrap_err();
    assert!(
        matches!(again.state, UiState::Conflict { .. }),
        "{:?}",
        again.state
    );

    // Text with no code in it never reaches the server.
    let bad = timed(second.check_invite("hello there")).await.unwrap_err();
    assert!(
        matches!(bad.state, UiState::InvalidInput { ref field, .. } if field.as_deref() == Some("invite"))
    );
}

#[tokio::test]
async fn running_a_server_respects_permissions_and_our_own_writes() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (owner, owner_id) = member(&target, "owner").await;
    let (plain, plain_id) = member(&target, "plain").await;
    let server = timed(owner.create_server("Run it", None)).await.unwrap();
    let general = timed(owner.channels(&server.id)).await.unwrap()[0]
        .id
        .clone();
    let code = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 0,
            max_uses: 0,
        },
    ))
    .await
    .unwrap()
    .code;
    timed(plain.join_invite(&code)).await.unwrap();
    assert!(timed(plain.servers())
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == server.id));

    let mine = timed(owner.permissions(&server.id)).await.unwrap();
    assert_eq!(mine.get("members.kick"), Some(&true));
    let theirs = timed(plain.permissions(&server.id)).await.unwrap();
    assert_eq!(theirs.get("members.kick"), None);
    assert_eq!(theirs.get("invites.create"), Some(&true));

    let edit = ServerEdit {
        name: Some("Run it well".into()),
        description: None,
    };
    let renamed = timed(owner.update_server(&server.id, &edit)).await.unwrap();
    assert_eq!(renamed.name, "Run it well");
    let refused = timed(plain.update_server(&server.id, &edit))
        .await
        .unwrap_err();
    assert!(matches!(refused.state, UiState::Forbidden { .. }));
    let owner_leaves = timed(owner.leave_server(&server.id)).await.unwrap_err();
    assert!(
        matches!(owner_leaves.state, UiState::Forbidden { ref message, .. } if message.contains("Owners cannot leave"))
    );

    let new = ChannelEdit {
        name: Some("plans".into()),
        topic: Some("what next".into()),
        slowmode_seconds: None,
    };
    let channel = timed(owner.create_channel(&server.id, &new)).await.unwrap();
    let slow = ChannelEdit {
        slowmode_seconds: Some(10),
        ..ChannelEdit::default()
    };
    let slowed = timed(owner.update_channel(&channel.id, &slow))
        .await
        .unwrap();
    assert_eq!(slowed.slowmode_seconds, 10);
    assert!(timed(owner.channels(&server.id))
        .await
        .unwrap()
        .iter()
        .any(|c| c.id == channel.id));
    timed(owner.delete_channel(&server.id, &channel.id))
        .await
        .unwrap();
    assert!(!timed(owner.channels(&server.id))
        .await
        .unwrap()
        .iter()
        .any(|c| c.id == channel.id));

    // The owner cannot be kicked; a kicked member's channel list says Access denied.
    let kick_owner = timed(plain.kick_member(&server.id, &owner_id))
        .await
        .unwrap_err();
    assert!(matches!(kick_owner.state, UiState::Forbidden { .. }));
    timed(owner.kick_member(&server.id, &plain_id))
        .await
        .expect("kicked");
    assert!(!timed(plain.servers())
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == server.id));
    let after = timed(plain.channels(&server.id)).await.unwrap_err();
    assert!(
        matches!(after.state, UiState::Forbidden { .. }),
        "{:?}",
        after.state
    );

    timed(owner.delete_server(&server.id))
        .await
        .expect("deleted");
    assert!(!timed(owner.servers())
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == server.id));
}

/// Roles as the reference answers them: created, edited and assigned through the client,
/// with lists read right after each write showing it (the reference's role and member lists
/// are cached copies), and every refusal a designed state (the role list's 500 included).
#[tokio::test]
async fn roles_are_made_edited_assigned_and_audited() {
    use plexichat_core::community::RoleEdit;
    use std::collections::BTreeMap;

    let target = crate::support::Target::start().await;
    let (owner, _) = member(&target, "rowner").await;
    let (plain, plain_id) = member(&target, "rplain").await;
    let (outsider, outsider_id) = member(&target, "routside").await;
    let _ = &outsider;
    let server = timed(owner.create_server("Roles here", None))
        .await
        .unwrap();
    let general = timed(owner.channels(&server.id)).await.unwrap()[0]
        .id
        .clone();
    let code = timed(owner.create_invite(
        &general,
        NewInvite {
            max_age: 0,
            max_uses: 0,
        },
    ))
    .await
    .unwrap()
    .code;
    timed(plain.join_invite(&code)).await.unwrap();

    // Read once first, so the reference caches a list without the new role.
    let before = timed(owner.roles(&server.id)).await.unwrap();
    assert!(before.iter().any(|r| r.is_default));

    let perms: BTreeMap<String, bool> = [("members.kick".to_owned(), true)].into();
    let created = timed(owner.create_role(
        &server.id,
        &RoleEdit {
            name: Some("moderator".into()),
            color: Some("#3366ff".into()),
            permissions: Some(perms),
            ..RoleEdit::default()
        },
    ))
    .await
    .expect("created");
    assert_eq!(created.name, "moderator");
    let listed = timed(owner.roles(&server.id)).await.unwrap();
    assert_eq!(
        listed.first().map(|r| r.id.as_str()),
        Some(created.id.as_str())
    );
    assert!(listed.last().is_some_and(|r| r.is_default), "highest first");

    let no_name = timed(owner.create_role(&server.id, &RoleEdit::default()))
        .await
        .unwrap_err();
    assert!(
        matches!(no_name.state, UiState::InvalidInput { ref field, .. } if field.as_deref() == Some("name"))
    );
    let not_allowed = timed(plain.create_role(
        &server.id,
        &RoleEdit {
            name: Some("mine".into()),
            ..RoleEdit::default()
        },
    ))
    .await
    .unwrap_err();
    assert!(matches!(not_allowed.state, UiState::Forbidden { .. }));
    // The reference answers a plain member's role list with 500: a refusal, not an outage.
    let list_refused = timed(plain.roles(&server.id)).await.unwrap_err();
    assert!(
        matches!(list_refused.state, UiState::Forbidden { .. }),
        "{:?}",
        list_refused.state
    );

    let edited = timed(
        owner.update_role(
            &server.id,
            &created.id,
            &RoleEdit {
                name: Some("mod".into()),
                color: Some("#ff0000".into()),
                permissions: Some(
                    [
                        ("members.kick".to_owned(), true),
                        ("channels.manage".to_owned(), true),
                    ]
                    .into(),
                ),
                ..RoleEdit::default()
            },
        ),
    )
    .await
    .expect("edited");
    assert_eq!(edited.name, "mod");
    assert_eq!(edited.permissions.get("channels.manage"), Some(&true));
    let listed = timed(owner.roles(&server.id)).await.unwrap();
    assert!(listed.iter().any(|r| r.id == created.id && r.name == "mod"));

    // Read the members once, then assign: the next (cached) read still shows the role.
    let _ = timed(owner.members(&server.id, 100)).await.unwrap();
    timed(owner.set_member_role(&server.id, &plain_id, &created.id, true))
        .await
        .expect("assigned");
    timed(owner.set_member_role(&server.id, &plain_id, &created.id, true))
        .await
        .expect("assigning twice is fine");
    let members = timed(owner.members(&server.id, 100)).await.unwrap();
    let m = members.iter().find(|m| m.user_id == plain_id).unwrap();
    assert!(m.roles.contains(&created.id), "{:?}", m.roles);
    let theirs = timed(plain.permissions(&server.id)).await.unwrap();
    assert_eq!(theirs.get("channels.manage"), Some(&true));

    let gone = timed(owner.set_member_role(&server.id, &outsider_id, &created.id, true))
        .await
        .unwrap_err();
    assert!(
        matches!(gone.state, UiState::NotFound { .. }),
        "{:?}",
        gone.state
    );
    let self_assign = timed(plain.set_member_role(&server.id, &plain_id, &created.id, false))
        .await
        .unwrap_err();
    assert!(matches!(self_assign.state, UiState::Forbidden { .. }));

    timed(owner.set_member_role(&server.id, &plain_id, &created.id, false))
        .await
        .expect("unassigned");
    let members = timed(owner.members(&server.id, 100)).await.unwrap();
    let m = members.iter().find(|m| m.user_id == plain_id).unwrap();
    assert!(!m.roles.contains(&created.id));

    timed(owner.delete_role(&server.id, &created.id))
        .await
        .expect("deleted");
    timed(owner.delete_role(&server.id, &created.id))
        .await
        .expect("already gone counts as deleted");
    assert!(!timed(owner.roles(&server.id))
        .await
        .unwrap()
        .iter()
        .any(|r| r.id == created.id));

    let log = timed(owner.audit_log(&server.id, 50)).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "role_create"));
    let add = log
        .iter()
        .find(|e| e.action == "member_role_add")
        .expect("assignment logged");
    assert_eq!(add.target_id.as_deref(), Some(plain_id.as_str()));
    assert_eq!(
        add.changes.as_ref().and_then(|c| c["role_id"].as_str()),
        Some(created.id.as_str()),
        "numeric ids arrive as strings"
    );
    let audit_refused = timed(plain.audit_log(&server.id, 50)).await.unwrap_err();
    assert!(matches!(audit_refused.state, UiState::Forbidden { .. }));
    timed(owner.delete_server(&server.id)).await.unwrap();
}
