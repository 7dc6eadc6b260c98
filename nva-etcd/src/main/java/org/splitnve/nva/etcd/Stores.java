package org.splitnve.nva.etcd;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.nva.service.store.StoreException;

/**
 * The NVA daemon's {@code store} setting (docs/nva.md section 4.6):
 *
 * <ul>
 *   <li>{@code sqlite:/var/lib/splitnve/nva.db}: the embedded store, one NVA process ({@link SqliteStore},
 *       {@code synchronous=FULL});</li>
 *   <li>{@code etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/splitnve/nva}: an etcd cluster, the members'
 *       client addresses and the key prefix ({@link EtcdStore}); several NVA instances may serve it at once;</li>
 *   <li>{@code memory:}: nothing survives the process (tests, demos).</li>
 * </ul>
 */
public final class Stores {
    private Stores() {
    }

    /**
     * Opens the store a setting names.
     *
     * @throws IllegalArgumentException when the setting is not one of the forms above
     * @throws StoreException           when the store cannot be opened
     */
    public static Store open(String spec) {
        return switch (parse(spec)) {
            case Spec.Sqlite s -> SqliteStore.open(s.file());
            case Spec.Etcd e -> EtcdStore.open(e.settings());
            case Spec.Memory m -> new MemoryStore();
        };
    }

    /** A parsed {@code store} setting. */
    public sealed interface Spec {
        record Sqlite(Path file) implements Spec {
        }

        record Etcd(EtcdStore.Settings settings) implements Spec {
        }

        record Memory() implements Spec {
        }
    }

    /** Parses a setting without opening anything (a configuration check). */
    public static Spec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("the NVA's store setting is empty: sqlite:PATH, etcd://HOST:PORT,.../PREFIX"
                    + " or memory:");
        }
        if (spec.startsWith("sqlite:")) {
            String path = spec.substring("sqlite:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (path.isEmpty()) {
                throw new IllegalArgumentException("sqlite: needs a file: sqlite:/var/lib/splitnve/nva.db");
            }
            return new Spec.Sqlite(Path.of(path));
        }
        if (spec.equals("memory:")) {
            return new Spec.Memory();
        }
        if (spec.startsWith("etcd://")) {
            String rest = spec.substring("etcd://".length());
            int slash = rest.indexOf('/');
            if (slash < 0 || slash == rest.length() - 1) {
                throw new IllegalArgumentException("etcd:// needs a key prefix after the members: " + spec
                        + " (etcd://HOST:PORT,HOST:PORT/PREFIX)");
            }
            List<URI> endpoints = new ArrayList<>();
            for (String hp : rest.substring(0, slash).split(",", -1)) {
                int colon = hp.lastIndexOf(':');
                if (hp.isBlank() || colon <= 0 || colon == hp.length() - 1) {
                    throw new IllegalArgumentException("an etcd member is HOST:PORT, not '" + hp + "' in " + spec);
                }
                try {
                    int port = Integer.parseInt(hp.substring(colon + 1));
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException("out of range");
                    }
                    endpoints.add(URI.create("http://" + hp + "/"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("an etcd member is HOST:PORT, not '" + hp + "' in " + spec, e);
                }
            }
            return new Spec.Etcd(EtcdStore.Settings.of(endpoints, rest.substring(slash)));
        }
        throw new IllegalArgumentException("unknown NVA store '" + spec
                + "': sqlite:PATH, etcd://HOST:PORT,.../PREFIX or memory:");
    }
}
