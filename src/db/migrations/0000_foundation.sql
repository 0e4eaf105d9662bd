CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`labels` text NOT NULL,
	`multi_label` integer DEFAULT false NOT NULL,
	`scale` text DEFAULT 'nominal' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`feature_dim` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_name_unique` ON `projects` (`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`created_by_import_id` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_unique` ON `users` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_token_hash_unique` ON `users` (`token_hash`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`project_id` integer,
	`status` text NOT NULL,
	`params` text NOT NULL,
	`result` text,
	`error` text,
	`progress_done` integer DEFAULT 0 NOT NULL,
	`progress_total` integer,
	`progress_unit` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`runner_pid` integer,
	`runner_host` text,
	`heartbeat_at` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `jobs_status_idx` ON `jobs` (`status`);--> statement-breakpoint
CREATE INDEX `jobs_project_idx` ON `jobs` (`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `annotations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`annotator_id` integer NOT NULL,
	`value` text NOT NULL,
	`source` text NOT NULL,
	`duration_ms` integer,
	`created_at` integer NOT NULL,
	`superseded_at` integer,
	`import_id` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`annotator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `annotations_item_idx` ON `annotations` (`item_id`,`annotator_id`);--> statement-breakpoint
CREATE INDEX `annotations_project_idx` ON `annotations` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotations_import_idx` ON `annotations` (`import_id`);--> statement-breakpoint
CREATE TABLE `import_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`import_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`split` text NOT NULL,
	`text` text,
	`features` blob,
	`meta` text,
	`content_hash` text NOT NULL,
	`import_line` integer NOT NULL,
	`supersedes` text NOT NULL,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_changes_item_uq` ON `import_changes` (`import_id`,`item_id`);--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`job_id` integer,
	`state` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`external_id` text NOT NULL,
	`split` text NOT NULL,
	`text` text,
	`features` blob,
	`meta` text,
	`rand` real NOT NULL,
	`content_hash` text NOT NULL,
	`import_id` integer NOT NULL,
	`import_line` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_project_external_uq` ON `items` (`project_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `items_project_id_idx` ON `items` (`project_id`,`id`);--> statement-breakpoint
CREATE INDEX `items_project_rand_idx` ON `items` (`project_id`,`rand`);--> statement-breakpoint
CREATE INDEX `items_project_split_idx` ON `items` (`project_id`,`split`,`id`);--> statement-breakpoint
CREATE INDEX `items_import_idx` ON `items` (`import_id`);--> statement-breakpoint
CREATE TABLE `queue_slots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`source` text NOT NULL,
	`priority` real NOT NULL,
	`status` text NOT NULL,
	`task_id` integer,
	`lease_expires_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `queue_slots_claim_idx` ON `queue_slots` (`project_id`,`status`,"priority" DESC,`id`);--> statement-breakpoint
CREATE INDEX `queue_slots_item_idx` ON `queue_slots` (`item_id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`status` text NOT NULL,
	`reviewer_id` integer,
	`lease_expires_at` integer,
	`annotation_id` integer,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_item_uq` ON `reviews` (`item_id`);--> statement-breakpoint
CREATE INDEX `reviews_claim_idx` ON `reviews` (`project_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slot_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`annotator_id` integer NOT NULL,
	`status` text NOT NULL,
	`leased_at` integer NOT NULL,
	`lease_expires_at` integer NOT NULL,
	`finished_at` integer,
	`annotation_id` integer,
	`idempotency_key` text,
	`skip_reason` text,
	FOREIGN KEY (`slot_id`) REFERENCES `queue_slots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`annotator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_item_annotator_idx` ON `tasks` (`item_id`,`annotator_id`);--> statement-breakpoint
CREATE INDEX `tasks_slot_idx` ON `tasks` (`slot_id`);--> statement-breakpoint
CREATE INDEX `tasks_annotator_idx` ON `tasks` (`project_id`,`annotator_id`,`status`,`finished_at`);