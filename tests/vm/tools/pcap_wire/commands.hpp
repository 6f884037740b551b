// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// pcap_wire's subcommands; each returns the exit status (0 done, 1 an error, reported on stderr).

namespace pcap_wire {

int capture_main(int argc, char** argv);
int inject_main(int argc, char** argv);
int show_main(int argc, char** argv);
int craft_main(int argc, char** argv);

}  // namespace pcap_wire
