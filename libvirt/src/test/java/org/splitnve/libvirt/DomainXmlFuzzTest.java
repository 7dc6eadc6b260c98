package org.splitnve.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5: coverage-guided fuzzing of {@link DomainXml#parse}, the libvirt hook's reader of the domain XML
 * libvirt writes to its standard input. Any text gives a domain or a {@link DomainXml.DomainXmlException}
 * (the hook's documented refusal: it prints the message and exits 1); nothing else is thrown, nothing
 * hangs, no DTD or external entity is read. A domain's NICs have unicast MACs, VN IDs of 32 bits and
 * addresses the one address parser accepts. Seeds (DomainXmlFuzzTestInputs/parse): domain XMLs as
 * libvirt writes them (DomainSamples), with and without splitnve metadata.
 */
@DisplayName("REL-5: the libvirt domain XML reader under coverage-guided fuzzing")
class DomainXmlFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("DomainXmlFuzzTest.parse");

    @FuzzTest(maxDuration = "15s")
    void parse(byte[] xml) {
        RUN.input();
        DomainXml.Domain d;
        try {
            d = DomainXml.parse(new String(xml, StandardCharsets.UTF_8));
        } catch (DomainXml.DomainXmlException refused) {
            assertThat(refused.getMessage()).as("refusal message").isNotBlank();
            return;
        }
        assertThat(d.name()).isNotBlank();
        for (DomainXml.Nic n : d.nics()) {
            assertThat(n.mac().isValidUnicast()).as("MAC %s", n.mac()).isTrue();
            assertThat(n.vn()).isBetween(0L, 0xFFFF_FFFFL);
        }
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
