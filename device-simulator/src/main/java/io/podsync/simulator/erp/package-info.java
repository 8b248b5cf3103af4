/**
 * The reference ERP receiver: a small HTTP server that takes the proof-of-delivery confirmations podsync sends as
 * Standard Webhooks signed CloudEvents, the way an ERP integration should (verify, de-duplicate, record, answer 2xx
 * fast), and that can be told to misbehave so testers and CI can watch the sender retry. It uses the JDK and Jackson
 * only, so an integrator can read it as a model without knowing podsync's server.
 */
package io.podsync.simulator.erp;
