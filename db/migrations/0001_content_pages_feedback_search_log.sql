CREATE TABLE "content_pages" (
	"url" text PRIMARY KEY NOT NULL,
	"file" text NOT NULL,
	"hash" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"views" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "page_feedback" (
	"id" uuid PRIMARY KEY NOT NULL,
	"page_url" text NOT NULL,
	"voter_key" text NOT NULL,
	"user_id" uuid,
	"helpful" boolean NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "page_feedback_voter_unique" UNIQUE("page_url","voter_key")
);
--> statement-breakpoint
CREATE TABLE "search_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"user_id" uuid,
	"unit_id" uuid,
	"query" text NOT NULL,
	"normalized" text NOT NULL,
	"hits" integer NOT NULL,
	"kind" text NOT NULL,
	"clicked_url" text,
	"clicked_position" integer,
	"clicked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "page_feedback_page_idx" ON "page_feedback" USING btree ("page_url");--> statement-breakpoint
CREATE INDEX "search_log_at_idx" ON "search_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "search_log_normalized_idx" ON "search_log" USING btree ("normalized");