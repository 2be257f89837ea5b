// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `khowalk map`: physical memory as rows of cells (pixels in SVG,
 * characters in text). Physical memory is sparse (a few ranges in tens of
 * GiB), so rows that hold nothing are not drawn: each maximal run of them
 * becomes one labelled gap band, and inside a row the scale is linear. The
 * exact mapping is in khowalk(1), MAP LAYOUT; tests/ux/map_pixels.py
 * recomputes it from the ground truth and checks the rendered PNG.
 *
 * The picture needs every mark before it can choose a scale, so unlike
 * `pages` and `ranges` this buffers: one entry per run of blocks of one
 * order (adjacent runs of the same order merged) and per metadata page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "map.h"

enum layer { L_SCRATCH, L_RUNS, L_META, L_FDT, NLAYERS };

struct mark {
	uint64_t s, e;		/* [s, e) */
	unsigned int order;
};

struct marks {
	struct mark *v;
	size_t n, cap;
};

struct map {
	uint64_t page_size;
	struct marks l[NLAYERS];
	bool orders[KHOR_MAX_ORDERS];
};

/* Rows [r0, r1) of R bytes each; a gap band is drawn as one line. */
struct band {
	uint64_t r0, r1;
	bool gap;
	uint64_t y;		/* SVG: top of the band */
};

struct layout {
	uint64_t B;		/* bytes per cell */
	uint64_t W;		/* cells per row */
	uint64_t R;		/* bytes per row, W * B */
	struct band *b;
	size_t n;
	uint64_t lines;		/* rows drawn + gap bands */
};

/*
 * Colours by order (khowalk(1) lists them): Tableau 20 without its reds,
 * which mark the KHO FDT, then three darker ones.
 */
static const char *const order_colors[20] = {
	"#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c",
	"#98df8a", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94",
	"#e377c2", "#f7b6d2", "#7f7f7f", "#bcbd22", "#dbdb8d",
	"#17becf", "#9edae5", "#393b79", "#637939", "#843c39",
};
#define COLOR_META "#000000"
#define COLOR_FDT "#d62728"
#define COLOR_SCRATCH "#ffe119"
#define COLOR_ROW "#e8e8e8"
#define COLOR_BG "#ffffff"
#define COLOR_TEXT "#333333"

const char *map_order_color(unsigned int order)
{
	return order_colors[order < 20 ? order : 19];
}

struct map *map_new(uint64_t page_size)
{
	struct map *m = calloc(1, sizeof(*m));

	if (m)
		m->page_size = page_size;
	return m;
}

void map_free(struct map *m)
{
	if (!m)
		return;
	for (int i = 0; i < NLAYERS; i++)
		free(m->l[i].v);
	free(m);
}

static uint64_t end_of(uint64_t s, uint64_t len)
{
	return len > UINT64_MAX - s ? UINT64_MAX : s + len;
}

/* Append [s, e), merged into the last mark when adjacent and alike. */
static int push(struct marks *k, uint64_t s, uint64_t e, unsigned int order)
{
	struct mark *last = k->n ? &k->v[k->n - 1] : NULL;

	if (s >= e)
		return 0;
	if (last && last->e == s && last->order == order) {
		last->e = e;
		return 0;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct mark *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -KHOR_ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = (struct mark){ s, e, order };
	return 0;
}

int map_add_run(struct map *m, const struct khor_run *run)
{
	unsigned int shift = (unsigned int)__builtin_ctzll(m->page_size) + run->order;
	uint64_t len = UINT64_MAX;

	if (shift < 64 && run->count <= (UINT64_MAX >> shift))
		len = run->count << shift;
	if (run->order < KHOR_MAX_ORDERS)
		m->orders[run->order] = true;
	return push(&m->l[L_RUNS], run->phys, end_of(run->phys, len), run->order);
}

int map_add_node(struct map *m, uint64_t phys, uint64_t size)
{
	return push(&m->l[L_META], phys, end_of(phys, size), 0);
}

int map_add_fdt(struct map *m, uint64_t phys, uint64_t size)
{
	return push(&m->l[L_FDT], phys, end_of(phys, size), 0);
}

int map_add_scratch(struct map *m, uint64_t phys, uint64_t size)
{
	return push(&m->l[L_SCRATCH], phys, end_of(phys, size), 0);
}

static int cmp_mark(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

/* Marks other than runs arrive in any order: sort and merge them. */
static void sort_layer(struct marks *k)
{
	size_t out = 0;

	if (!k->n)
		return;
	qsort(k->v, k->n, sizeof(*k->v), cmp_mark);
	for (size_t i = 1; i < k->n; i++) {
		if (k->v[i].s <= k->v[out].e) {
			if (k->v[i].e > k->v[out].e)
				k->v[out].e = k->v[i].e;
		} else {
			k->v[++out] = k->v[i];
		}
	}
	k->n = out + 1;
}

/* ---- layout ---- */

struct rows {
	uint64_t r0, r1;
};

static int cmp_rows(const void *a, const void *b)
{
	const struct rows *x = a, *y = b;

	return x->r0 < y->r0 ? -1 : x->r0 > y->r0;
}

static void layout_free(struct layout *lo)
{
	free(lo->b);
	lo->b = NULL;
	lo->n = 0;
}

static int add_band(struct layout *lo, size_t *cap, uint64_t r0, uint64_t r1,
		    bool gap)
{
	if (lo->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct band *b = realloc(lo->b, ncap * sizeof(*b));

		if (!b)
			return -1;
		lo->b = b;
		*cap = ncap;
	}
	lo->b[lo->n++] = (struct band){ .r0 = r0, .r1 = r1, .gap = gap };
	lo->lines += gap ? 1 : r1 - r0;
	return 0;
}

/*
 * Rows holding any part of any mark are drawn; every maximal run of other
 * rows from row 0 up to the row holding phys_end - 1 is one gap band.
 */
static int layout_make(const struct map *m, uint64_t B, uint64_t W,
		       uint64_t phys_end, struct layout *lo)
{
	struct rows *iv;
	size_t n = 0, total = 0, cap = 0;
	uint64_t prev = 0, end_row;

	memset(lo, 0, sizeof(*lo));
	lo->B = B;
	lo->W = W;
	lo->R = B * W;
	for (int i = 0; i < NLAYERS; i++)
		total += m->l[i].n;
	iv = malloc((total ? total : 1) * sizeof(*iv));
	if (!iv)
		return -1;
	for (int i = 0; i < NLAYERS; i++)
		for (size_t j = 0; j < m->l[i].n; j++) {
			const struct mark *k = &m->l[i].v[j];

			iv[n].r0 = k->s / lo->R;
			iv[n].r1 = (k->e - 1) / lo->R + 1;
			n++;
		}
	qsort(iv, n, sizeof(*iv), cmp_rows);
	for (size_t i = 0; i < n;) {
		uint64_t r0 = iv[i].r0, r1 = iv[i].r1;

		for (i++; i < n && iv[i].r0 <= r1; i++)
			if (iv[i].r1 > r1)
				r1 = iv[i].r1;
		if ((r0 > prev && add_band(lo, &cap, prev, r0, true)) ||
		    add_band(lo, &cap, r0, r1, false)) {
			free(iv);
			return -1;
		}
		prev = r1;
	}
	free(iv);
	end_row = phys_end ? (phys_end - 1) / lo->R + 1 : 0;
	if (end_row > prev && add_band(lo, &cap, prev, end_row, true))
		return -1;
	return 0;
}

/*
 * The scale: @mo->scale, or the smallest power of two from @first such
 * that at most @max_lines lines are drawn.
 */
static int layout_choose(const struct map *m, const struct map_opts *mo,
			 uint64_t first, uint64_t W, unsigned int max_lines,
			 uint64_t phys_end, struct layout *lo, char *errbuf,
			 size_t errlen)
{
	uint64_t B = mo->scale ? mo->scale : first;

	for (;;) {
		if (layout_make(m, B, W, phys_end, lo)) {
			snprintf(errbuf, errlen, "out of memory");
			return -1;
		}
		if (mo->scale) {
			if (lo->lines <= MAP_MAX_LINES)
				return 0;
			snprintf(errbuf, errlen,
				 "--scale %llu draws %llu rows (at most %d): give a larger scale",
				 (unsigned long long)B,
				 (unsigned long long)lo->lines, MAP_MAX_LINES);
			layout_free(lo);
			return -1;
		}
		if (lo->lines <= max_lines || B > UINT64_MAX / W / 2)
			return 0;
		layout_free(lo);
		B *= 2;
	}
}

/*
 * Call @fn for every mark's part inside [rs, re), layer by layer, in
 * ascending address within a layer. @idx (one per layer) only moves
 * forward, so rows must be visited in ascending order.
 */
typedef void (*mark_fn)(void *arg, int layer, const struct mark *k,
			uint64_t s, uint64_t e);

static void row_marks(const struct map *m, size_t *idx, uint64_t rs,
		      uint64_t re, mark_fn fn, void *arg)
{
	for (int i = 0; i < NLAYERS; i++) {
		const struct marks *k = &m->l[i];

		while (idx[i] < k->n && k->v[idx[i]].e <= rs)
			idx[i]++;
		for (size_t j = idx[i]; j < k->n && k->v[j].s < re; j++) {
			uint64_t s = k->v[j].s > rs ? k->v[j].s : rs;
			uint64_t e = k->v[j].e < re ? k->v[j].e : re;

			if (s < e)
				fn(arg, i, &k->v[j], s, e);
		}
	}
}

static uint64_t row_start(const struct layout *lo, uint64_t r)
{
	return r > UINT64_MAX / lo->R ? UINT64_MAX : r * lo->R;
}

/* ---- SVG ---- */

struct svg {
	FILE *f;
	const struct layout *lo;
	uint64_t rs;
	uint64_t y;
	/* a rectangle being extended */
	bool open;
	uint64_t x0, x1;
	const char *color;
};

static void svg_flush(struct svg *g)
{
	if (!g->open)
		return;
	fprintf(g->f, "<rect x=\"%llu\" y=\"%llu\" width=\"%llu\" height=\"%d\" fill=\"%s\"/>\n",
		(unsigned long long)(MAP_SVG_LEFT + g->x0),
		(unsigned long long)(g->y + 1),
		(unsigned long long)(g->x1 - g->x0), MAP_SVG_ROW - 2, g->color);
	g->open = false;
}

static const char *layer_color(int layer, unsigned int order)
{
	switch (layer) {
	case L_SCRATCH:
		return COLOR_SCRATCH;
	case L_META:
		return COLOR_META;
	case L_FDT:
		return COLOR_FDT;
	default:
		return map_order_color(order);
	}
}

static void svg_mark(void *arg, int layer, const struct mark *k, uint64_t s,
		     uint64_t e)
{
	struct svg *g = arg;
	const struct layout *lo = g->lo;
	uint64_t x0 = (s - g->rs) / lo->B;
	uint64_t x1 = (e - g->rs) / lo->B + ((e - g->rs) % lo->B != 0);
	const char *color = layer_color(layer, k->order);

	if (x1 <= x0)
		x1 = x0 + 1;
	if (g->open && g->color == color && x0 <= g->x1) {
		if (x1 > g->x1)
			g->x1 = x1;
		return;
	}
	svg_flush(g);
	g->open = true;
	g->x0 = x0;
	g->x1 = x1;
	g->color = color;
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

struct legend_item {
	const char *color;
	char label[32];
};

static size_t legend_items(const struct map *m, struct legend_item *it)
{
	size_t n = 0;

	for (unsigned int o = 0; o < KHOR_MAX_ORDERS; o++) {
		if (!m->orders[o])
			continue;
		it[n].color = map_order_color(o);
		snprintf(it[n++].label, sizeof(it[0].label), "order %u", o);
	}
	if (m->l[L_META].n) {
		it[n].color = COLOR_META;
		snprintf(it[n++].label, sizeof(it[0].label), "metadata");
	}
	if (m->l[L_FDT].n) {
		it[n].color = COLOR_FDT;
		snprintf(it[n++].label, sizeof(it[0].label), "KHO FDT");
	}
	if (m->l[L_SCRATCH].n) {
		it[n].color = COLOR_SCRATCH;
		snprintf(it[n++].label, sizeof(it[0].label), "scratch");
	}
	return n;
}

#define LEGEND_ITEM_W 100
#define LEGEND_LINE_H 18

static void render_svg(const struct map *m, const struct layout *lo,
		       const char *title, FILE *f)
{
	struct legend_item items[KHOR_MAX_ORDERS + 3];
	size_t nitems = legend_items(m, items);
	uint64_t width = MAP_SVG_LEFT + lo->W + 16, y = MAP_SVG_TOP, height;
	uint64_t per_line = (width - 16) / LEGEND_ITEM_W;
	size_t idx[NLAYERS] = { 0 };
	char cell[32], row[32], gapsz[32];
	struct svg g = { .f = f, .lo = lo };

	if (!per_line)
		per_line = 1;
	for (size_t i = 0; i < lo->n; i++) {
		lo->b[i].y = y;
		y += lo->b[i].gap ? MAP_SVG_GAP :
		     (lo->b[i].r1 - lo->b[i].r0) * MAP_SVG_ROW;
	}
	height = y + 12 + ((nitems + per_line - 1) / per_line) * LEGEND_LINE_H + 8;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%llu\" height=\"%llu\" "
		"viewBox=\"0 0 %llu %llu\" shape-rendering=\"crispEdges\" "
		"font-family=\"monospace\" font-size=\"11\">\n",
		(unsigned long long)width, (unsigned long long)height,
		(unsigned long long)width, (unsigned long long)height);
	fputs("<title>", f);
	xml_text(f, title);
	fputs("</title>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%llu\" height=\"%llu\" fill=\"%s\"/>\n",
		(unsigned long long)width, (unsigned long long)height, COLOR_BG);
	fprintf(f, "<text x=\"8\" y=\"18\" font-size=\"13\" fill=\"%s\">", COLOR_TEXT);
	xml_text(f, title);
	fprintf(f, "</text>\n<text x=\"8\" y=\"36\" fill=\"%s\">one pixel = %s, one row = %s; rows with nothing are folded into gaps</text>\n",
		COLOR_TEXT, human_bytes(cell, sizeof(cell), lo->B),
		human_bytes(row, sizeof(row), lo->R));

	for (size_t i = 0; i < lo->n; i++) {
		const struct band *b = &lo->b[i];

		if (b->gap) {
			uint64_t s = row_start(lo, b->r0), e = row_start(lo, b->r1);

			fprintf(f, "<text x=\"%d\" y=\"%llu\" text-anchor=\"end\" fill=\"%s\">0x%llx</text>\n",
				MAP_SVG_LEFT - 6, (unsigned long long)(b->y + 14),
				COLOR_TEXT, (unsigned long long)s);
			fprintf(f, "<text x=\"%d\" y=\"%llu\" fill=\"%s\">... %s, nothing preserved ...</text>\n",
				MAP_SVG_LEFT, (unsigned long long)(b->y + 14), COLOR_TEXT,
				human_bytes(gapsz, sizeof(gapsz), e - s));
			continue;
		}
		for (uint64_t r = b->r0; r < b->r1; r++) {
			g.rs = row_start(lo, r);
			g.y = b->y + (r - b->r0) * MAP_SVG_ROW;
			fprintf(f, "<text x=\"%d\" y=\"%llu\" text-anchor=\"end\" fill=\"%s\">0x%llx</text>\n",
				MAP_SVG_LEFT - 6, (unsigned long long)(g.y + 11),
				COLOR_TEXT, (unsigned long long)g.rs);
			fprintf(f, "<rect x=\"%d\" y=\"%llu\" width=\"%llu\" height=\"%d\" fill=\"%s\"/>\n",
				MAP_SVG_LEFT, (unsigned long long)(g.y + 1),
				(unsigned long long)lo->W, MAP_SVG_ROW - 2, COLOR_ROW);
			row_marks(m, idx, g.rs, end_of(g.rs, lo->R), svg_mark, &g);
			svg_flush(&g);
		}
	}
	y += 12;
	for (size_t i = 0; i < nitems; i++) {
		uint64_t x = 8 + (i % per_line) * LEGEND_ITEM_W;
		uint64_t ly = y + (i / per_line) * LEGEND_LINE_H;

		fprintf(f, "<rect x=\"%llu\" y=\"%llu\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"%s\"/>\n"
			"<text x=\"%llu\" y=\"%llu\" fill=\"%s\">%s</text>\n",
			(unsigned long long)x, (unsigned long long)ly, items[i].color,
			COLOR_TEXT, (unsigned long long)(x + 16),
			(unsigned long long)(ly + 10), COLOR_TEXT, items[i].label);
	}
	fputs("</svg>\n", f);
}

/* ---- text ---- */

struct cells {
	const struct layout *lo;
	uint64_t rs;
	uint64_t *pres;			/* preserved bytes per cell */
	uint64_t *ob;			/* [cell * KHOR_MAX_ORDERS + order] */
	uint8_t *flags;
};

#define CELL_META 1
#define CELL_FDT 2
#define CELL_SCRATCH 4

static void text_mark(void *arg, int layer, const struct mark *k, uint64_t s,
		      uint64_t e)
{
	struct cells *c = arg;
	const struct layout *lo = c->lo;
	uint64_t c0 = (s - c->rs) / lo->B, c1 = (e - 1 - c->rs) / lo->B;

	for (uint64_t i = c0; i <= c1 && i < lo->W; i++) {
		uint64_t cs = c->rs + i * lo->B, ce = end_of(cs, lo->B);
		uint64_t bytes = (e < ce ? e : ce) - (s > cs ? s : cs);

		switch (layer) {
		case L_SCRATCH:
			c->flags[i] |= CELL_SCRATCH;
			break;
		case L_META:
			c->flags[i] |= CELL_META;
			break;
		case L_FDT:
			c->flags[i] |= CELL_FDT;
			break;
		default:
			c->pres[i] += bytes;
			if (k->order < KHOR_MAX_ORDERS)
				c->ob[i * KHOR_MAX_ORDERS + k->order] += bytes;
		}
	}
}

/* xterm 256-colour cube entry nearest to "#rrggbb". */
static unsigned int ansi256(const char *hex)
{
	unsigned int rgb = (unsigned int)strtoul(hex + 1, NULL, 16);
	unsigned int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;

	return 16 + 36 * ((r * 5 + 127) / 255) + 6 * ((g * 5 + 127) / 255) +
	       (b * 5 + 127) / 255;
}

/* Glyph and colour escape of cell @i ("" for none). */
static char cell_glyph(const struct cells *c, uint64_t i, char *esc, size_t len)
{
	const uint64_t *ob = c->ob + i * KHOR_MAX_ORDERS;
	uint64_t B = c->lo->B, p = c->pres[i];
	unsigned int best = 0;
	double frac;

	*esc = 0;
	if (c->flags[i] & CELL_FDT) {
		snprintf(esc, len, "\033[1;31m");
		return 'F';
	}
	if (c->flags[i] & CELL_META) {
		snprintf(esc, len, "\033[1m");
		return 'm';
	}
	if (p) {
		for (unsigned int o = 1; o < KHOR_MAX_ORDERS; o++)
			if (ob[o] > ob[best])
				best = o;
		snprintf(esc, len, "\033[38;5;%um", ansi256(map_order_color(best)));
		frac = (double)p / (double)B;
		return frac <= 1.0 / 3 ? ':' : frac <= 2.0 / 3 ? '+' : '#';
	}
	if (c->flags[i] & CELL_SCRATCH) {
		snprintf(esc, len, "\033[33m");
		return 's';
	}
	return '.';
}

static int render_text(const struct map *m, const struct layout *lo,
		       const char *title, bool color, FILE *f)
{
	size_t idx[NLAYERS] = { 0 };
	struct cells c = { .lo = lo };
	uint64_t last = lo->n ? row_start(lo, lo->b[lo->n - 1].r1) - 1 : 0;
	int digits = 1;
	char cell[32], row[32], gapsz[32];

	while (digits < 16 && (last >> (4 * digits)))
		digits++;
	c.pres = calloc(lo->W, sizeof(*c.pres));
	c.ob = calloc(lo->W * KHOR_MAX_ORDERS, sizeof(*c.ob));
	c.flags = calloc(lo->W, 1);
	if (!c.pres || !c.ob || !c.flags) {
		free(c.pres);
		free(c.ob);
		free(c.flags);
		return -1;
	}
	fprintf(f, "%s\n", title);
	fprintf(f, "one cell = %s, one line = %s\n",
		human_bytes(cell, sizeof(cell), lo->B),
		human_bytes(row, sizeof(row), lo->R));
	for (size_t i = 0; i < lo->n; i++) {
		const struct band *b = &lo->b[i];

		if (b->gap) {
			uint64_t s = row_start(lo, b->r0), e = row_start(lo, b->r1);

			fprintf(f, "0x%0*llx ~ %s, nothing preserved\n", digits,
				(unsigned long long)s,
				human_bytes(gapsz, sizeof(gapsz), e - s));
			continue;
		}
		for (uint64_t r = b->r0; r < b->r1; r++) {
			char esc[32], cur[32] = "";

			c.rs = row_start(lo, r);
			memset(c.pres, 0, lo->W * sizeof(*c.pres));
			memset(c.ob, 0, lo->W * KHOR_MAX_ORDERS * sizeof(*c.ob));
			memset(c.flags, 0, lo->W);
			row_marks(m, idx, c.rs, end_of(c.rs, lo->R), text_mark, &c);
			fprintf(f, "0x%0*llx |", digits, (unsigned long long)c.rs);
			for (uint64_t x = 0; x < lo->W; x++) {
				char g = cell_glyph(&c, x, esc, sizeof(esc));

				/* One escape per run of cells of one colour. */
				if (color && strcmp(esc, cur)) {
					fputs(*cur ? "\033[0m" : "", f);
					fputs(esc, f);
					snprintf(cur, sizeof(cur), "%s", esc);
				}
				fputc(g, f);
			}
			if (color && *cur)
				fputs("\033[0m", f);
			fputs("|\n", f);
		}
	}
	fputs(". nothing  : up to 1/3 preserved  + up to 2/3  # more  m metadata  F KHO FDT  s scratch\n", f);
	if (color) {
		fputs("orders:", f);
		for (unsigned int o = 0; o < KHOR_MAX_ORDERS; o++)
			if (m->orders[o])
				fprintf(f, " \033[38;5;%um#\033[0m%u",
					ansi256(map_order_color(o)), o);
		fputc('\n', f);
	}
	free(c.pres);
	free(c.ob);
	free(c.flags);
	return 0;
}

static unsigned int terminal_cells(int fd, int digits)
{
	struct winsize ws;
	int w;

	if (ioctl(fd, TIOCGWINSZ, &ws) || ws.ws_col == 0)
		return MAP_TEXT_WIDTH;
	/* "0x<digits> |" ... "|" */
	w = ws.ws_col - (digits + 5);
	w -= w % 16;
	return w < 16 ? 16 : w > 256 ? 256 : (unsigned int)w;
}

int map_render(struct map *m, const struct map_opts *mo, uint64_t phys_end,
	       const char *title, char *errbuf, size_t errlen)
{
	struct layout lo;
	bool svg = mo->svg != NULL;
	uint64_t W, first;
	FILE *out = mo->out ? mo->out : stdout, *f = out;
	int rc = 0;

	for (int i = 0; i < NLAYERS; i++)
		if (i != L_RUNS)
			sort_layer(&m->l[i]);
	if (svg) {
		W = mo->width ? mo->width : MAP_SVG_WIDTH;
		first = m->page_size / 4 ? m->page_size / 4 : 1;
	} else {
		W = mo->width ? mo->width :
		    isatty(fileno(out)) ? terminal_cells(fileno(out), 12) :
		    MAP_TEXT_WIDTH;
		first = m->page_size;
	}
	if (layout_choose(m, mo, first, W, svg ? MAP_SVG_MAX_LINES :
			  MAP_TEXT_MAX_LINES, phys_end, &lo, errbuf, errlen))
		return -1;
	if (svg) {
		if (strcmp(mo->svg, "-")) {
			f = fopen(mo->svg, "w");
			if (!f) {
				snprintf(errbuf, errlen, "cannot write '%s': %s",
					 mo->svg, strerror(errno));
				layout_free(&lo);
				return -1;
			}
		}
		render_svg(m, &lo, title, f);
		if (f != out) {
			/* A write that failed before the close is sticky. */
			bool failed = ferror(f) != 0;

			errno = 0;
			failed |= fclose(f) != 0;
			if (failed) {
				snprintf(errbuf, errlen, "cannot write '%s': %s",
					 mo->svg, errno ? strerror(errno) :
					 "write error");
				rc = -1;
			}
		}
	} else {
		bool color = mo->color > 0 ||
			     (mo->color < 0 && isatty(fileno(out)) &&
			      !(getenv("NO_COLOR") && *getenv("NO_COLOR")));

		if (render_text(m, &lo, title, color, f)) {
			snprintf(errbuf, errlen, "out of memory");
			rc = -1;
		}
	}
	layout_free(&lo);
	return rc;
}
