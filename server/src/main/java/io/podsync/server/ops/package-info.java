/** What operations people use: the business exception queue, health, metrics. */
package io.podsync.server.ops;
