// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoded-value trees: what the blob decoders build and the tools render
 * (text or JSON). The library never prints, so decoders describe what they
 * found as data instead.
 */
#include <stdlib.h>
#include <string.h>

#include "blob_internal.h"

/*
 * Every node carries a pointer to its tree's allocation-failure flag, so
 * builders can be chained without checking each result.
 */
struct kv_node {
	struct khor_value v;
	bool *nomem;
	struct khor_value *last;	/* last child, for O(1) append */
};

struct kv_root_node {
	struct kv_node n;
	bool nomem;
};

static struct kv_node *node_of(struct khor_value *v)
{
	return (struct kv_node *)v;
}

struct khor_value *kv_root(void)
{
	struct kv_root_node *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->n.v.type = KHOR_V_OBJECT;
	r->n.nomem = &r->nomem;
	return &r->n.v;
}

bool kv_nomem(const struct khor_value *root)
{
	return !root || *((const struct kv_node *)root)->nomem;
}

static struct khor_value *kv_new(struct khor_value *parent, const char *key,
				 enum khor_vtype type)
{
	struct kv_node *p, *n;

	if (!parent)
		return NULL;
	p = node_of(parent);
	n = calloc(1, sizeof(*n));
	if (!n || (key && !(n->v.key = strdup(key)))) {
		free(n);
		*p->nomem = true;
		return NULL;
	}
	n->v.type = type;
	n->nomem = p->nomem;
	if (p->last)
		p->last->next = &n->v;
	else
		parent->child = &n->v;
	p->last = &n->v;
	return &n->v;
}

struct khor_value *kv_obj(struct khor_value *parent, const char *key)
{
	return kv_new(parent, key, KHOR_V_OBJECT);
}

struct khor_value *kv_list(struct khor_value *parent, const char *key)
{
	return kv_new(parent, key, KHOR_V_LIST);
}

struct khor_value *kv_strn(struct khor_value *parent, const char *key,
			   const char *s, size_t max)
{
	struct khor_value *v = kv_new(parent, key, KHOR_V_STR);

	if (!v)
		return NULL;
	v->s = strndup(s, max);
	if (!v->s) {
		*node_of(v)->nomem = true;
		return NULL;
	}
	return v;
}

struct khor_value *kv_str(struct khor_value *parent, const char *key,
			  const char *s)
{
	return kv_strn(parent, key, s, strlen(s));
}

static struct khor_value *kv_num(struct khor_value *parent, const char *key,
				 enum khor_vtype type, uint64_t u)
{
	struct khor_value *v = kv_new(parent, key, type);

	if (v)
		v->u = u;
	return v;
}

struct khor_value *kv_hex(struct khor_value *parent, const char *key, uint64_t v)
{
	return kv_num(parent, key, KHOR_V_HEX, v);
}

struct khor_value *kv_uint(struct khor_value *parent, const char *key, uint64_t v)
{
	return kv_num(parent, key, KHOR_V_UINT, v);
}

struct khor_value *kv_bool(struct khor_value *parent, const char *key, bool v)
{
	return kv_num(parent, key, KHOR_V_BOOL, v);
}

struct khor_value *kv_bytes(struct khor_value *parent, const char *key,
			    const void *buf, size_t n, uint64_t total)
{
	struct khor_value *v = kv_new(parent, key, KHOR_V_BYTES);

	if (!v)
		return NULL;
	v->u = total;
	v->bytes = malloc(n ? n : 1);
	if (!v->bytes) {
		*node_of(v)->nomem = true;
		return NULL;
	}
	memcpy(v->bytes, buf, n);
	v->nbytes = n;
	return v;
}

void khor_value_free(struct khor_value *v)
{
	while (v) {
		struct khor_value *next = v->next;

		khor_value_free(v->child);
		free(v->key);
		free(v->s);
		free(v->bytes);
		free(node_of(v));	/* kv_root_node starts with its kv_node */
		v = next;
	}
}

const struct khor_value *khor_value_get(const struct khor_value *obj,
					const char *key)
{
	if (!obj || obj->type != KHOR_V_OBJECT)
		return NULL;
	for (const struct khor_value *c = obj->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}
