/**
 * The reference Java client of protocol v1 (java.net.http only): authenticate, pull, push, and the ERP/ops calls.
 * Apps and the device simulator use it; it is also the executable description of how to talk to the server.
 */
package io.podsync.protocol.client;
