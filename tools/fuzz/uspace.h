/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What module/seq.h and module/options.{h,c} expect from the kernel, for
 * building them in user space: the fixed-width types, bool and EINVAL.
 */
#ifndef _ATCP_USPACE_H
#define _ATCP_USPACE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;

#endif /* _ATCP_USPACE_H */
