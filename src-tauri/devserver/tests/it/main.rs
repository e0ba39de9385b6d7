//! Integration tests of the devserver over real sockets: recorded-transcript conformance,
//! REST behaviour, the gateway, every fault, and no-panic property tests. One binary keeps
//! link time low on the 2-core CI machine.

mod account;
mod bookmarks;
mod common;
mod conformance;
mod faults;
mod fidelity;
mod gateway;
mod gateway_conformance;
mod polls;
mod props;
mod rest;
mod rich;
mod search_conformance;
mod unread_conformance;
