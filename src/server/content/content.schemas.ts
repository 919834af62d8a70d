import { z } from 'zod';

export const accessLevels = ['public', 'member', 'staff'] as const;
export type Access = (typeof accessLevels)[number];

const access = z.enum(accessLevels).default('public');
/**
 * A YAML date or a YYYY-MM-DD string. Kept at noon UTC, so the calendar day is the
 * same in every time zone it is shown in.
 */
const date = z.union([
  z.date().transform((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12))),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-24').transform((s) => new Date(`${s}T12:00:00Z`)),
]);
const tags = z.array(z.string().min(1)).default([]);

export const manualIndexSchema = z.strictObject({
  title: z.string().min(1),
  summary: z.string().default(''),
  order: z.number().int().default(100),
  access,
});

export const chapterSchema = z.strictObject({
  title: z.string().min(1),
  order: z.number().int().optional(),
  access: access.optional(),
  updated: date.optional(),
  tags,
});

export const faqSchema = z.strictObject({
  title: z.string().min(1),
  category: z.string().min(1).default('其他'),
  tags,
  access,
  order: z.number().int().default(100),
  updated: date.optional(),
});

export const coursewareSchema = z.strictObject({
  title: z.string().min(1),
  summary: z.string().default(''),
  audience: z.string().default(''),
  tags,
  access,
  updated: date.optional(),
});

export const synonymsSchema = z.array(z.array(z.union([z.string(), z.number()]).transform(String)).min(2));
