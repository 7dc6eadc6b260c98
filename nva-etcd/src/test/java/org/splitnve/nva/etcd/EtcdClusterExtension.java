package org.splitnve.nva.etcd;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A three-member {@link EtcdCluster} for a test class:
 * {@code @RegisterExtension static final EtcdClusterExtension ETCD = new EtcdClusterExtension();}, then
 * {@code ETCD.cluster()}. It starts before the class's tests and stops after them. Without {@code /usr/bin/etcd}
 * the tests are skipped, unless {@code CI=true}: then a missing etcd fails them.
 */
public final class EtcdClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private EtcdCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!EtcdCluster.available()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("/usr/bin/etcd is missing and CI=true: .ci/run installs etcd-server");
            }
            Assumptions.abort("/usr/bin/etcd is missing (apt-get install etcd-server): etcd tests skipped");
        }
        cluster = EtcdCluster.start(3, Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public EtcdCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the etcd cluster runs only during the test class");
        }
        return cluster;
    }
}
