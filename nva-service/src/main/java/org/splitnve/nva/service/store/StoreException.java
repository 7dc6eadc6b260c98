package org.splitnve.nva.service.store;

/** The store could not do what was asked: an I/O failure, a full disk, a corrupt file. Nothing was committed. */
public sealed class StoreException extends RuntimeException permits StoreConflict {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
