/* Whole-guest operations: sync, clock, entropy, power-off. */
#ifndef FIREBREAK_SYSOPS_H
#define FIREBREAK_SYSOPS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

void sysop_sync(uint64_t id);
void sysop_settime(uint64_t id, const json_value *h);
void sysop_reseed(uint64_t id, const uint8_t *payload, size_t len);
/* Syncs and stops the guest: reboot(RB_AUTOBOOT) when `reboot` (a microVM's VMM exits on it),
 * else reboot(RB_POWER_OFF). With --no-power-off it only syncs (the agent then exits).
 * Never returns when stopping succeeds. */
void sysop_power_off(int reboot);

#endif
