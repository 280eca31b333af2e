/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run top` on a terminal (ncurses): the snapshot of live/render.c,
 * redrawn every interval and on every key. Keys: s next sort order, f or /
 * filter by program (empty: all), p or space pause, q quit. Lines are cut at
 * the terminal's width and the columns chosen for it (lv_columns_for); a
 * terminal too short shows the first lines and says how many are hidden.
 */
#include "cmd/top.h"
#include "cmd/commands.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Headings stand out: the title, the column heads. */
static bool heading(const char *line, int row)
{
	return row == 0 || strncmp(line, "  IFACE ", 8) == 0 || strncmp(line, "    PID ", 8) == 0;
}

static void draw(const struct lr_top *t, bool paused, const char *note)
{
	char *text = lr_top_render(t, COLS, false, paused);
	int row = 0, hidden = 0;

	erase();
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (row >= LINES - 1) {
			hidden++;
			continue;
		}
		if (heading(line, row))
			attron(A_BOLD);
		mvaddnstr(row, 0, line, COLS);
		attroff(A_BOLD);
		row++;
	}
	free(text);
	attron(A_REVERSE);
	if (note && *note)
		mvaddnstr(LINES - 1, 0, note, COLS);
	else if (hidden)
		mvprintw(LINES - 1, 0,
		         "%d more line(s): enlarge the terminal  q quit s sort f filter "
		         "p pause",
		         hidden);
	else
		mvaddnstr(LINES - 1, 0, "q quit  s sort  f filter by program  p pause", COLS);
	attroff(A_REVERSE);
	refresh();
}

/* The filter, typed on the last line. */
static void ask_filter(struct lr_top *t)
{
	char in[sizeof(t->filter)];

	move(LINES - 1, 0);
	clrtoeol();
	attron(A_REVERSE);
	addnstr("program (empty: all): ", COLS);
	attroff(A_REVERSE);
	echo();
	curs_set(1);
	timeout(-1);
	if (getnstr(in, (int)sizeof(in) - 1) == OK)
		snprintf(t->filter, sizeof(t->filter), "%s", in);
	noecho();
	curs_set(0);
}

int lr_top_screen(struct lr_top *t)
{
	bool paused = false;
	double next;

	if (!initscr())
		return LR_EXIT_FAIL;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* The second sample, so that the first screen has rates. */
	next = mono() + t->interval;
	draw(t, paused, "first sample taken; rates after one interval");
	for (;;) {
		double left = next - mono();
		timeout(left > 0 ? (int)(left * 1000) + 1 : 0);
		int ch = getch();
		if (ch == ERR) {
			if (mono() < next)
				continue;
			next += t->interval;
			if (next < mono())
				next = mono() + t->interval;
			if (!paused)
				lr_top_sample(t);
			draw(t, paused, NULL);
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			endwin();
			return LR_EXIT_OK;
		case 's':
			t->sort = lv_sort_next(t->sort);
			break;
		case 'p':
		case ' ':
			paused = !paused;
			break;
		case 'f':
		case '/':
			ask_filter(t);
			break;
		default:
			break;
		}
		draw(t, paused, NULL);
	}
}
