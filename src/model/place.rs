//! Which of many accounts and regions a row was read in: a [`Place`], carried by every row
//! ([`Placed`]). What is done with places — merging, narrowing, naming — is in
//! [`super::places`].

use serde::{Deserialize, Serialize};

/// Which account×region a row was read in: its index in [`super::Snapshot::places`] (0 when
/// only one was read, and `places` is empty).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Place(pub u16);

impl Place {
    /// No place: what belongs to none (a finding about the reading itself).
    pub const NONE: Place = Place(u16::MAX);
}

/// Something a row belongs to a place.
pub trait Placed {
    fn place(&self) -> Place;
}

impl<T: Placed> Placed for &T {
    fn place(&self) -> Place {
        (*self).place()
    }
}

impl<A: Placed, B> Placed for (A, B) {
    fn place(&self) -> Place {
        self.0.place()
    }
}
