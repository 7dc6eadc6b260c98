package org.splitnve.nva.service.store;

/**
 * A {@link SharedStore} refused a commit because its guard failed: another NVA instance committed first (the
 * store is past the revision the batch was made at), or an nNVE's report number was taken. Nothing was
 * committed; the NVA catches up with the store and makes the change again against the new state.
 */
public final class StoreConflict extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreConflict(String message) {
        super(message);
    }
}
