// Every Chinese text and keyboard people receive: officers' notices, cards and keyboards, the bot's words,
// reminders, company notices, letters to residents. Pure: data in, text out.
export * from './callback.ts';
export * from './case-texts.ts';
export * from './keyboards.ts';
export * from './bot-texts.ts';
export * from './letters.ts';
export * from './reminders.ts';
export * from './company.ts';
export * from './telegram.ts';
export * from './alerts.ts';
export * from './mail.ts';
