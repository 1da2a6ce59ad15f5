/*
 * pdftext.c — pdftotext as a child process (see pdftext.h). The PDF goes
 * in through a pipe and the text comes back through another, both
 * non-blocking under one poll loop with a deadline, so neither side can
 * wait on the other; past the deadline or the output bound the child is
 * killed and reaped.
 */
#include "services/pdftext.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/validate.h"

extern char **environ;

static int
spawn_pdftotext(int *to_child, int *from_child, pid_t *pid)
{
	char *const argv[] = { "pdftotext", "-q", "-enc", "UTF-8", "-", "-", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int in[2], out[2], rc;

	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	/* The server blocks SIGINT/SIGTERM and ignores SIGPIPE: the child
	 * starts with neither. */
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(pid, "pdftotext", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	*to_child = in[1];
	*from_child = out[0];
	return 0;
}

struct pump {
	const char *pdf;
	size_t len, written;
	char *text;
	size_t text_len, cap, max_out;
	bool overflow;
};

/* Reads what the child wrote; false at EOF or on an error. */
static bool
drain(struct pump *p, int fd)
{
	char buf[16384];
	ssize_t r = read(fd, buf, sizeof(buf));

	if (r < 0)
		return errno == EAGAIN || errno == EINTR;
	if (r == 0)
		return false;
	if (p->text_len + (size_t)r > p->max_out) {
		p->overflow = true;
		return false;
	}
	if (p->text_len + (size_t)r + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		char *t;

		while (cap < p->text_len + (size_t)r + 1)
			cap *= 2;
		if ((t = realloc(p->text, cap)) == NULL) {
			p->overflow = true;
			return false;
		}
		p->text = t;
		p->cap = cap;
	}
	memcpy(p->text + p->text_len, buf, (size_t)r);
	p->text_len += (size_t)r;
	return true;
}

/* Feeds the PDF and collects the text until EOF, the deadline or the bound. */
static bool
pump_io(struct pump *p, int to_child, int from_child, int64_t deadline)
{
	int in_fd = to_child;

	for (;;) {
		struct pollfd fds[2] = { { from_child, POLLIN, 0 }, { in_fd, POLLOUT, 0 } };
		int64_t left = deadline - wl_now_ms();
		int n;

		if (left <= 0)
			return false;
		n = poll(fds, in_fd >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno != EINTR)
			return false;
		if (n <= 0)
			continue;
		if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in_fd, p->pdf + p->written, p->len - p->written);

			if (w > 0)
				p->written += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || p->written == p->len) {
				close(in_fd); /* EOF for the child (or it stopped reading) */
				in_fd = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
			if (!drain(p, from_child))
				break;
	}
	if (in_fd >= 0)
		close(in_fd);
	return !p->overflow;
}

/* Waits for the child until the deadline, then kills it. Its exit status,
 * or -1 when it had to be killed. */
static int
reap(pid_t pid, int64_t deadline)
{
	int status;

	while (wl_now_ms() < deadline) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(2000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int
pdftext_extract(const void *pdf, size_t len, size_t max_out, int timeout_ms, char **out,
		size_t *out_len, struct wl_error *err)
{
	struct pump p = { pdf, len, 0, NULL, 0, 0, max_out, false };
	int64_t deadline = wl_now_ms() + timeout_ms;
	int to_child, from_child, status;
	pid_t pid;
	bool ok;

	*out = NULL;
	*out_len = 0;
	if (spawn_pdftotext(&to_child, &from_child, &pid) != 0)
		return wl_fail(err, WL_EUNAVAILABLE,
			       "PDF text extraction is not available (pdftotext could not run)");
	ok = pump_io(&p, to_child, from_child, deadline);
	close(from_child);
	if (!ok)
		kill(pid, SIGKILL);
	status = reap(pid, ok ? deadline : wl_now_ms() + 1000);
	if (!ok || status != 0) {
		free(p.text);
		if (p.overflow)
			return wl_fail(err, WL_EVALIDATION,
				       "The PDF's text is larger than %zu bytes", max_out);
		if (ok)
			return wl_fail(err, WL_EVALIDATION,
				       "The PDF could not be read (pdftotext failed)");
		return wl_fail(err, WL_EUNAVAILABLE,
			       "Extracting the PDF's text took too long; try a smaller file");
	}
	if (p.text == NULL && (p.text = malloc(1)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	p.text[p.text_len] = '\0';
	pdftext_clean_utf8(p.text, p.text_len);
	*out = p.text;
	*out_len = p.text_len;
	return WL_OK;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80             ? 1
		     : (s[0] & 0xe0) == 0xc0 ? 2
		     : (s[0] & 0xf0) == 0xe0 ? 3
		     : (s[0] & 0xf8) == 0xf0 ? 4
					     : 0;

	if (len == 0 || len > n || !wl_valid_utf8((const char *)s, len))
		return 0;
	return len;
}

void
pdftext_clean_utf8(char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t len = s[i] == '\0' ? 0 : utf8_seq((const unsigned char *)s + i, n - i);

		if (len == 0) {
			s[i++] = '?';
			continue;
		}
		i += len;
	}
}
