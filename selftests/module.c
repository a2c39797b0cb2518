// SPDX-License-Identifier: GPL-2.0
/*
 * Module life: atcp loads and unloads without a splat, its socket exists
 * only while it is loaded, an open socket pins it, and loading or unloading
 * twice gives the ordinary errors.
 */
// timeout: 900 (the debug kernel loads and unloads slowly)
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

FIXTURE(module) {
	int unused;
};

FIXTURE_SETUP(module)
{
	ASSERT_EQ(0, atcp_ensure_loaded());
	kmsg_splats(NULL, 0);
}

FIXTURE_TEARDOWN(module)
{
	/* Leave the module loaded for the tests that follow. */
	EXPECT_EQ(0, atcp_ensure_loaded());
}

/* 20 cycles: about 10 s on 6.1, minutes on the debug kernel under TCG */
TEST_F_TIMEOUT(module, load_unload_no_splat, 600)
{
	char splat[512];
	int i;

	kmsg_splats(NULL, 0);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, atcp_unload());
		ASSERT_FALSE(atcp_loaded());
		ASSERT_EQ(0, atcp_load());
		ASSERT_TRUE(atcp_loaded());
	}
	EXPECT_EQ(0, kmsg_splats(splat, sizeof(splat))) {
		TH_LOG("kernel log: %s", splat);
	}
}

TEST_F(module, socket_while_loaded)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);

	ASSERT_LE(0, fd) {
		TH_LOG("socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP): errno %d", errno);
	}
	close(fd);
}

TEST_F(module, socket_without_module)
{
	int fd;

	ASSERT_EQ(0, atcp_unload());
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	if (fd >= 0)
		close(fd);
}

TEST_F(module, unload_refused_while_socket_open)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);

	ASSERT_LE(0, fd);
	/* delete_module(2) answers EWOULDBLOCK for a module in use. */
	EXPECT_EQ(-EWOULDBLOCK, atcp_unload());
	EXPECT_TRUE(atcp_loaded());
	/* rmmod(8) refuses too. */
	EXPECT_NE(0, system("rmmod atcp 2>/dev/null"));
	close(fd);
	EXPECT_EQ(0, atcp_unload());
	EXPECT_FALSE(atcp_loaded());
}

TEST_F(module, load_twice)
{
	EXPECT_EQ(-EEXIST, atcp_load());
	EXPECT_TRUE(atcp_loaded());
}

TEST_F(module, unload_twice)
{
	EXPECT_EQ(0, atcp_unload());
	EXPECT_EQ(-ENOENT, atcp_unload());
}

TEST_HARNESS_MAIN
