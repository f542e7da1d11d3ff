//! Judgement: what about a snapshot deserves a look, derived from the snapshot alone. The
//! findings ([`finding`]) that the Overview's "Unusual now" ([`insights`]) and the Access screen
//! list: the access posture of each API ([`posture`]) and traffic that went around the edge
//! ([`bypass`]).

pub(crate) mod bypass;
pub(crate) mod finding;
pub(crate) mod insights;
pub(crate) mod posture;
