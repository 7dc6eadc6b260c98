package org.splitnve.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.config.ConfigException;

/** NVA-2: the NVA daemon's {@code [nva] store} setting: a SQLite state file, an etcd cluster, or memory. */
class NvaSettingsTest {
    @TempDir
    Path dir;

    NvaSettings load(String store) throws Exception {
        Path p = dir.resolve("nva.toml");
        Files.writeString(p, "[nva]\n" + (store == null ? "" : "store = \"" + store + "\"\n"));
        return NvaSettings.load(p);
    }

    @Test
    @DisplayName("NVA-2: store is sqlite:PATH (or a bare PATH, relative to the file; default nva.db), etcd://HOST:PORT,.../PREFIX or memory:")
    void storeForms() throws Exception {
        assertThat(load(null).store()).isEqualTo("sqlite:" + dir.toAbsolutePath().resolve("nva.db"));
        assertThat(load(null).stateFile()).isEqualTo(dir.toAbsolutePath().resolve("nva.db"));
        assertThat(load("state/nva.db").store()).isEqualTo("sqlite:" + dir.toAbsolutePath().resolve("state/nva.db"));
        assertThat(load("sqlite:state/nva.db").store()).isEqualTo("sqlite:" + dir.toAbsolutePath().resolve("state/nva.db"));
        assertThat(load("sqlite:/var/lib/splitnve/nva.db").store()).isEqualTo("sqlite:/var/lib/splitnve/nva.db");
        assertThat(load("sqlite:///var/lib/splitnve/nva.db").stateFile()).isEqualTo(Path.of("/var/lib/splitnve/nva.db"));
        NvaSettings etcd = load("etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/splitnve/nva");
        assertThat(etcd.store()).isEqualTo("etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/splitnve/nva");
        assertThat(etcd.stateFile()).isNull();
        assertThat(load("memory:").store()).isEqualTo("memory:");
        assertThat(NvaSettings.load(Path.of("../examples/nva.toml")).store()).isEqualTo("sqlite:/var/lib/splitnve/nva.db");
    }

    @Test
    @DisplayName("NVA-2: a store setting that is none of the forms is a configuration problem with its line, naming the forms")
    void badStores() {
        for (String bad : new String[] {"etcd://10.0.0.1:2379", "etcd://10.0.0.1/p", "redis://x/y", "sqlite:"}) {
            assertThatThrownBy(() -> load(bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(":2: [nva] store: ");
        }
        assertThatThrownBy(() -> load("redis://x/y")).hasMessageContaining("sqlite:PATH, etcd://HOST:PORT,.../PREFIX or memory:");
    }
}
