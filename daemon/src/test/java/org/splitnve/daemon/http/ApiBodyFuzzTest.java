package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.api.Bodies;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-1: coverage-guided fuzzing of the API's request bodies up to the engine: the body read as the
 * server does ({@link Request#body}: Jackson as {@code JsonCodec} configures it, into each operation's record of
 * {@link Bodies}), then every check the handlers apply to its values (docs/api.md: the VM name, {@code tsis} with
 * each TSI_SPEC's vn, mac, ips and id, {@code migration}, {@code state}, {@code tsi}, {@code op}, {@code ips},
 * {@code reason}, {@code port}, {@code station}, {@code start}, and a TSI ID in a path). Each gives its value or
 * an {@link ApiError} with status 400 and a message; nothing else is thrown (an exception there would be a 500).
 * Seeds (ApiBodyFuzzTestInputs/body): the
 * request bodies of docs/api.md.
 */
@DisplayName("REL-5, SEC-1: API request bodies under coverage-guided fuzzing")
class ApiBodyFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("ApiBodyFuzzTest.body");

    @FuzzTest(maxDuration = "15s")
    void body(byte[] body) {
        RUN.input();
        Request r = new Request("POST", "/v1/vms", Map.of(), new String(body, StandardCharsets.UTF_8), "fuzz");
        read(() -> {
            Bodies.Create b = r.body(Bodies.Create.class);
            String name = TnveApi.name(b.name());
            Fields.bool(b.start(), false);
            return TnveApi.tsis(b.tsis(), name);
        });
        read(() -> {
            Bodies.Prepare b = r.body(Bodies.Prepare.class);
            Fields.uuid(b.migration(), "migration", true);
            return TnveApi.tsis(b.tsis(), "vm1");
        });
        read(() -> {
            Bodies.Adopt b = r.body(Bodies.Adopt.class);
            Fields.string(b.state(), "state", true);
            return TnveApi.tsis(b.tsis(), "vm1");
        });
        read(() -> Fields.uuid(r.body(Bodies.Migration.class).migration(), "migration", true));
        read(() -> r.body(Bodies.None.class));
        read(() -> {
            Bodies.Addresses b = r.body(Bodies.Addresses.class);
            Fields.string(b.op(), "op", true);
            Fields.ips(b.ips(), "ips", true);
            String tsi = Fields.string(b.tsi(), "tsi", true);
            return NnveApi.tsiId(tsi);
        });
        read(() -> {
            Bodies.Deactivate b = r.body(Bodies.Deactivate.class);
            NnveApi.reason(b.reason());
            return NnveApi.addressesToDeactivate(b, r.has("ips"));
        });
        read(() -> NnveApi.reason(r.body(Bodies.Deassociate.class).reason()));
        read(() -> {
            Bodies.ReleaseTags b = r.body(Bodies.ReleaseTags.class);
            NnveApi.reason(b.reason());
            Fields.string(b.port(), "port", true);
            return b.station() == null ? null : Fields.mac(b.station(), "station");
        });
    }

    @FunctionalInterface
    interface Reader {
        Object read() throws ApiError;
    }

    private static void read(Reader reader) {
        try {
            reader.read();
        } catch (ApiError e) {
            assertThat(e.status()).as("status of %s", e.getMessage()).isEqualTo(400);
            assertThat(e.getMessage()).as("message").isNotBlank();
        }
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
