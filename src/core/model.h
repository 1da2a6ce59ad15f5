/*
 * model.h — the domain's rows as handlers, pages and services see them:
 * organizations, users, calls, usage, whitelabel settings, sessions. Plain
 * data with fixed-size text fields; no behaviour and no I/O. The store
 * reads and writes them (store/store.h), services decide on them, and
 * src/api and src/web render them without a database connection.
 *
 * Times are unix milliseconds (int64). Balances and durations are integer
 * seconds. Ids are lowercase UUID strings; "" stands for SQL NULL.
 */
#ifndef WL_MODEL_H
#define WL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define WL_ID_LEN 37 /* 36 chars + NUL */
#define WL_NAME_MAX 200
#define WL_EMAIL_MAX 255
#define WL_REF_MAX 256
#define WL_DESC_MAX 500
#define WL_NUMBER_MAX 33

struct store_org {
	char id[WL_ID_LEN];
	char name[WL_NAME_MAX + 1];
	char parent_id[WL_ID_LEN]; /* "" for a parent (top-level) org */
	int64_t balance_seconds;   /* parent: platform minutes; child: portal credits */
	bool is_demo;
	int64_t created_at;
	int64_t low_balance_minutes; /* balance.low threshold, 0 = off */
	bool low_balance_armed;      /* a crossing below it fires balance.low */
};

struct store_user {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char email[WL_EMAIL_MAX + 1];
	char password_hash[160];
	int64_t created_at;
};

struct store_call {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char billed_org_id[WL_ID_LEN];   /* whose platform minutes pay: the org or its parent */
	char direction[12];              /* "inbound" | "outbound" */
	char status[16];                 /* queued ringing in-progress ended rejected */
	char from_number[WL_NUMBER_MAX]; /* "" = null */
	char to_number[WL_NUMBER_MAX];
	char number_id[WL_ID_LEN]; /* "" = null */
	char agent_id[65];         /* "" = null */
	int64_t elapsed_sec;       /* highest elapsed the engine reported */
	int64_t billed_seconds;
	bool cut_off;          /* credits ran out: bill no further */
	char ended_reason[65]; /* "" = null */
	int64_t created_at;
	int64_t ended_at;      /* 0 = null */
	int64_t last_event_at; /* the last event (or the creation) */
};

struct store_usage {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char billed_org_id[WL_ID_LEN];
	char call_id[WL_ID_LEN];
	int64_t duration_sec;
	char number_id[WL_ID_LEN]; /* "" = null */
	int64_t created_at;
};

struct store_whitelabel {
	char org_id[WL_ID_LEN];
	char company_name[WL_NAME_MAX + 1];
	char slug[64]; /* "" = not chosen yet */
	char logo_url[2049];
	char primary_color[8];
	char accent_color[8];
	char stripe_publishable_key[256];
	char stripe_secret_key_sealed[512]; /* secrets_seal() text, "" = not set */
	char stripe_secret_mode[2];         /* "l" live, "t" test, "" unset */
	char stripe_product_id[256];
	char stripe_price_id[256];
	char stripe_webhook_secret_sealed[512];
	int64_t package_credits;
	int64_t package_price_cents;
	char package_currency[4];
	bool active;
	char custom_domain[254]; /* "" = none */
	char domain_status[16];  /* pending | verified | misconfigured */
	char domain_reason[256];
	int64_t domain_checked_at;
	int64_t updated_at;
	char domain_token[65];      /* this claim's TXT proof, "" = no claim */
	int64_t domain_claimed_at;  /* when this claim was made */
	int64_t domain_verified_at; /* last seen verified, 0 = never */
};

struct store_client_user {
	struct store_user user;
	int64_t balance_seconds; /* the client org's credits */
	int64_t verified_at;     /* e-mail verified, 0 = not yet */
	int64_t last_login_at;   /* last portal log-in, 0 = never */
	int64_t purchases;       /* paid Stripe purchases */
	/* the limits its agency set on the client org, -1 = none */
	int64_t max_concurrent_calls;
	int64_t monthly_minutes;
};

struct store_session {
	char user_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char csrf_token[64];
	int64_t created_at;
	int64_t expires_at;
};

/* ---- per-org configuration: agents, tools, knowledge bases, numbers ---- */

#define WL_PROMPT_MAX 16000       /* an agent's system prompt, bytes */
#define WL_FIRST_MESSAGE_MAX 1000 /* its first message */
#define WL_VOICE_ID_MAX 128
#define WL_DESCRIPTION_MAX 1000 /* a tool's or knowledge base's description */
#define WL_ID_LIST_MAX 32       /* tools or knowledge bases of one agent */
/* ids joined by ',' (at most WL_ID_LIST_MAX of them) */
#define WL_ID_LIST_LEN (WL_ID_LIST_MAX * WL_ID_LEN)
#define WL_EVENT_LIST_LEN 96    /* webhook event names joined by ',' */
#define WL_PARAMETERS_MAX 16384 /* a tool's JSON Schema, serialized */
#define WL_URL_LEN 2049

struct store_agent {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char name[WL_NAME_MAX + 1];
	char system_prompt[WL_PROMPT_MAX + 1];
	char first_message[WL_FIRST_MESSAGE_MAX + 1];
	char voice_id[WL_VOICE_ID_MAX + 1];
	char language[36];             /* BCP-47, "" = none */
	int64_t temperature_milli;     /* personality: 0..2000 thousandths */
	int64_t max_duration_seconds;  /* 0 = no limit of the agent's own */
	char tool_ids[WL_ID_LIST_LEN]; /* "" = none */
	char knowledge_base_ids[WL_ID_LIST_LEN];
	char webhook_url[WL_URL_LEN];           /* "" = none */
	char webhook_events[WL_EVENT_LIST_LEN]; /* "" = every event */
	int64_t created_at;
	int64_t updated_at; /* strictly increases with every write: the version */
};

/* What the pages list of an agent (no prompt). */
struct store_agent_brief {
	char id[WL_ID_LEN];
	char name[WL_NAME_MAX + 1];
	char language[36];
	char voice_id[WL_VOICE_ID_MAX + 1];
	int64_t updated_at;
};

struct store_tool {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char name[65]; /* a function name, unique in its org */
	char description[WL_DESCRIPTION_MAX + 1];
	char parameters[WL_PARAMETERS_MAX + 1]; /* JSON Schema text */
	char url[WL_URL_LEN];
	int64_t timeout_seconds;
	int64_t created_at;
	int64_t updated_at;
};

struct store_kb {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char name[WL_NAME_MAX + 1];
	char description[WL_DESCRIPTION_MAX + 1];
	int64_t documents;   /* read: how many */
	int64_t total_bytes; /* read: their size */
	int64_t created_at;
	int64_t updated_at;
};

/* A document's row without its bytes (content and text are read apart). */
struct store_kb_doc {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char kb_id[WL_ID_LEN];
	char filename[256];
	char content_type[32];
	int64_t size_bytes;
	char sha256[65];    /* lowercase hex */
	int64_t text_bytes; /* extracted text beside a PDF, 0 = none */
	int64_t created_at;
};

struct store_number {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char number[WL_NUMBER_MAX]; /* E.164, unique on the platform */
	char name[WL_NAME_MAX + 1];
	char agent_id[WL_ID_LEN]; /* "" = none */
	int64_t created_at;
	int64_t updated_at;
};

#endif
