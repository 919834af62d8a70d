CREATE TABLE "ask_suggestions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"page_url" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ask_suggestions_created_idx" ON "ask_suggestions" USING btree ("created_at");