/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `khowalk map`: physical memory as a picture. The marks (the
 * preserved runs by order, the metadata pages, the KHO FDT page, the
 * scratch areas) are collected during the walk and drawn afterwards, as an
 * SVG image or as a text strip. The layout (rows of cells, empty rows
 * folded into gap bands) is documented in khowalk(1), MAP LAYOUT, so that
 * tests can compute where a block must appear without this code.
 */
#ifndef KHOTOOLS_MAP_H
#define KHOTOOLS_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "radix_reader.h"

/* SVG geometry, in pixels (khowalk(1), MAP LAYOUT). */
#define MAP_SVG_LEFT 120	/* label column; cell 0 of a row is at x = 120 */
#define MAP_SVG_TOP 48		/* title; the first band starts at y = 48 */
#define MAP_SVG_ROW 14		/* a row band; marks fill y + 1 .. y + 12 */
#define MAP_SVG_GAP 20		/* a gap band */
#define MAP_SVG_WIDTH 1024	/* default pixels (cells) per row */
#define MAP_SVG_MAX_LINES 128	/* automatic scale: at most this many bands */
#define MAP_TEXT_WIDTH 64	/* default cells per row when not a terminal */
#define MAP_TEXT_MAX_LINES 24
#define MAP_MAX_LINES 65536	/* with an explicit --scale */

struct map_opts {
	const char *svg;	/* write SVG here ("-": stdout); NULL: text */
	unsigned int width;	/* cells per row, 0: default */
	uint64_t scale;		/* bytes per cell, 0: automatic */
	int color;		/* text: 1 always, 0 never, -1 auto */
	FILE *out;		/* text and "--svg -" (NULL: stdout) */
};

struct map;

struct map *map_new(uint64_t page_size);
void map_free(struct map *m);
/* Collect marks; each returns 0 or -KHOR_ENOMEM. Runs must come ascending. */
int map_add_run(struct map *m, const struct khor_run *run);
int map_add_node(struct map *m, uint64_t phys, uint64_t size);
int map_add_fdt(struct map *m, uint64_t phys, uint64_t size);
int map_add_scratch(struct map *m, uint64_t phys, uint64_t size);

/*
 * Draw. @phys_end: end of physical memory (0: unknown), shown as a final
 * gap; @title: first line of the picture. Returns 0, or -1 with @errbuf
 * set (cannot write the file, the scale gives too many rows).
 */
int map_render(struct map *m, const struct map_opts *mo, uint64_t phys_end,
	       const char *title, char *errbuf, size_t errlen);

/* The colour of an order (SVG), "#rrggbb"; orders above 19 share one. */
const char *map_order_color(unsigned int order);

#endif /* KHOTOOLS_MAP_H */
