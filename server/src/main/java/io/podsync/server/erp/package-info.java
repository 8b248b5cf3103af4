/**
 * ERP forwarding: confirmed stop outcomes become outbox messages in the transaction that confirms them; a dispatcher
 * delivers them as signed CloudEvents (Standard Webhooks), retrying on the published schedule, and operations can see,
 * replay and reconcile them.
 */
package io.podsync.server.erp;
