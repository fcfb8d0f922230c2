/**
 * HL7 v2 and MLLP: a pure codec and message model, ACKs, the course's messages, and
 * connections over any Duplex. Depends on nothing else of ours and never logs.
 */
export * from './errors.js';
export * from './mllp-codec.js';
export * from './message.js';
export * from './timestamp.js';
export * from './ack.js';
export * from './python-float.js';
export * from './course-messages.js';
export * from './connection.js';
export * from './tcp.js';
export * from './mllp-file.js';
