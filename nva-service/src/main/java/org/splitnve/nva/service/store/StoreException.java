package org.splitnve.nva.service.store;

/** The store could not do what was asked: an I/O failure, a full disk, a corrupt file. Nothing was committed. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
