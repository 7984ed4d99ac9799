/* Whole-guest operations: sync, clock, entropy, power-off. */
#ifndef FIREBREAK_SYSOPS_H
#define FIREBREAK_SYSOPS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

void sysop_sync(uint64_t id);
void sysop_settime(uint64_t id, const json_value *h);
void sysop_reseed(uint64_t id, const uint8_t *payload, size_t len);
/* Syncs and powers the guest off (or, with --no-power-off, ends the agent). Never returns
 * when powering off succeeds. */
void sysop_power_off(void);

#endif
