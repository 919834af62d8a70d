export * from './audit.ts';
export * from './mail.ts';
export * from './sequences.ts';
export * from './content.ts';
export * from './auth.ts';
export * from './questions.ts';
export * from './service-records.ts';
