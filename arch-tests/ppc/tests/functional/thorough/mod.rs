//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod _40p;
mod amiga;
mod bamboo;
mod mac;
mod mpc8544ds;
mod ppe42;
mod replay;
mod sam460ex;
mod tuxrun;
mod virtex_ml507;
