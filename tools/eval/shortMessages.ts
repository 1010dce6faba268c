/**
 * Short ordinary messages, hand-written for this evaluation (2026-12-02) by the developer who
 * added it: the everyday mail and chat lines a user might select and classify. All are ham; a
 * spam filter that calls them spam is learning length and form, not spam.
 */
export const SHORT_HAM: readonly string[] = [
  'Hi Bob, can we meet on Tuesday?',
  'Thanks for the notes from yesterday, they were really helpful.',
  'Running ten minutes late, start without me.',
  'Are you free for lunch on Friday? The new place on Elm Street opened.',
  'Can you send me the slides before the meeting?',
  'Happy birthday! Hope you have a great day.',
  'I left my keys on your desk, could you keep them until tomorrow?',
  'The build is green again, I merged the fix this morning.',
  'Mum says dinner is at seven on Sunday.',
  'Could you review my pull request when you have a minute?',
  'See you at the station at 8:15.',
  'Reminder: the dentist appointment is on Thursday at 3pm.',
  'Great game last night! Same time next week?',
  'I attached the invoice for March. Let me know if anything is missing.',
  'Can you pick up milk and bread on the way home?',
  'The meeting room is booked, we are in room 4B.',
  'Thanks, that works for me.',
  'Sorry I missed your call, I was in a meeting. Ring me back after five?',
  'Here are the photos from the hike on Saturday.',
  'The kids have a school play on the 12th, can you come?',
  'I will be working from home tomorrow, reach me on chat.',
  'Do you still have the book I lent you last month?',
  'Flight lands at 6:40, I will take a taxi from the airport.',
  'Could we move our call to Wednesday morning?',
  'Please find the agenda for next week below. Comments welcome.',
  'The heating engineer is coming between 9 and 12 on Monday.',
  'Nice work on the release notes, very clear.',
  'Let us grab a coffee after the talk.',
  'My train is cancelled, I will join the meeting remotely.',
  'Can you water the plants while we are away?',
];
