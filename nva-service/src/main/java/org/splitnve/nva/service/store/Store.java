package org.splitnve.nva.service.store;

/**
 * Where the NVA's state lives between runs (NVA-2; docs/nva.md section 2). One writer: the NVA that opened it.
 *
 * <p>{@link #commit} returns only once the batch is durable, and makes all of it durable or none of it: the
 * NVA answers a report, or an operator, only after it returns. {@link #load} returns exactly what the committed
 * batches made, whatever moment the previous process was killed at.
 */
public interface Store extends AutoCloseable {
    /** Everything committed: the resources, the retained change log, the last receipt per nNVE. */
    Loaded load();

    /** Makes the batch durable, all or nothing; returns when it is. */
    void commit(Batch batch);

    @Override
    void close();
}
