package org.splitnve.nva.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.nva.service.store.Store;

/** NVA-2: the daemon's {@code store} setting names the embedded store or an etcd cluster. */
class StoresTest {
    @Test
    @DisplayName("NVA-2: etcd://members/prefix names the members' client URLs and the key prefix")
    void etcdSetting() {
        Stores.Spec s = Stores.parse("etcd://10.0.0.1:2379,10.0.0.2:2379,[2001:db8::3]:2379/splitnve/nva");
        assertThat(s).isInstanceOf(Stores.Spec.Etcd.class);
        EtcdStore.Settings e = ((Stores.Spec.Etcd) s).settings();
        assertThat(e.endpoints()).containsExactly(URI.create("http://10.0.0.1:2379/"),
                URI.create("http://10.0.0.2:2379/"), URI.create("http://[2001:db8::3]:2379/"));
        assertThat(e.prefix()).isEqualTo("/splitnve/nva/");
    }

    @Test
    @DisplayName("NVA-2: sqlite:PATH opens the embedded store, memory: a store in memory")
    void sqliteAndMemory(@TempDir Path dir) {
        assertThat(Stores.parse("sqlite:/var/lib/splitnve/nva.db"))
                .isEqualTo(new Stores.Spec.Sqlite(Path.of("/var/lib/splitnve/nva.db")));
        try (Store s = Stores.open("sqlite:" + dir.resolve("nva.db"))) {
            assertThat(s).isInstanceOf(SqliteStore.class);
            assertThat(s.load().revision()).isZero();
        }
        try (Store s = Stores.open("memory:")) {
            assertThat(s).isInstanceOf(MemoryStore.class);
        }
    }

    @Test
    @DisplayName("NVA-2: a malformed store setting is refused with the reason and the forms it may take")
    void malformed() {
        for (String bad : List.of("", "etcd://10.0.0.1:2379", "etcd://10.0.0.1:2379/", "etcd://10.0.0.1/nva",
                "etcd://10.0.0.1:99999/nva", "etcd://,10.0.0.1:2379/nva", "sqlite:", "postgres://db/nva")) {
            assertThatThrownBy(() -> Stores.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageMatching("(?s).*(sqlite|etcd).*");
        }
    }
}
