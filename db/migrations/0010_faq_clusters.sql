CREATE TABLE "faq_cluster_members" (
	"question_id" uuid PRIMARY KEY NOT NULL,
	"cluster_id" uuid NOT NULL,
	"matched_question_id" uuid,
	"score" real,
	"shared" jsonb,
	"pinned" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "faq_clusters" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"rejected_size" integer,
	"faq_slug" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "faq_decisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"other_cluster_id" uuid,
	"question_id" uuid,
	"actor_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "faq_cluster_members" ADD CONSTRAINT "faq_cluster_members_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "faq_cluster_members" ADD CONSTRAINT "faq_cluster_members_cluster_id_faq_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."faq_clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "faq_decisions" ADD CONSTRAINT "faq_decisions_cluster_id_faq_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."faq_clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "faq_decisions" ADD CONSTRAINT "faq_decisions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "faq_cluster_members_cluster_idx" ON "faq_cluster_members" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "faq_clusters_status_idx" ON "faq_clusters" USING btree ("status");--> statement-breakpoint
CREATE INDEX "faq_decisions_cluster_idx" ON "faq_decisions" USING btree ("cluster_id");