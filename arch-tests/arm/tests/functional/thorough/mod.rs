//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod bpim2u;
mod canona1100;
mod cubieboard;
mod emcraft_sf2;
mod linux_netboot;
mod collie;
mod orangepi;
mod quanta_gsj;
mod raspi2;
mod realview;
mod smdkc210;
mod sx1;
mod vexpress;
mod virt;
mod tuxrun;
mod aspeed_ast2500_buildroot;
mod aspeed_ast2500_sdk;
mod aspeed_ast2600_buildroot;
mod aspeed_ast2600_sdk;
mod aspeed_bletchley;
mod aspeed_catalina;
mod aspeed_gb200nvl_bmc;
mod aspeed_palmetto;
mod aspeed_romulus;
mod aspeed_witherspoon;
mod bflt;
