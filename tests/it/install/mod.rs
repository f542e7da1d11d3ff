//! What an operator meets when edgetop reaches a bastion: the state an older edgetop left is
//! read and carried on by this one (`upgrade`), and `edgetop doctor` says what works and what
//! does not (`doctor`).

mod doctor;
mod upgrade;
