package org.splitnve.tnve;

import java.util.function.Consumer;

/**
 * A request held until its uplink is ready (with authentication: until the session is established);
 * it fails at {@code deadline} if the uplink never gets there.
 */
record Held(Runnable go, Consumer<OpResult> fail, long deadline) {
}
