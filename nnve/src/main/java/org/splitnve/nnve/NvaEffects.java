package org.splitnve.nnve;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.Nva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiBinding;
import org.splitnve.nva.TsiInstance;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * Applies the engine's NVA effects to the NVA (SM-TSI-2..7, SM-VAP-2): mapping entries while a TSI
 * is Associated, forwarding entries while Activated, removal on De-Associate, a port move without
 * remove-then-add, the VN's local tag per port scope. VNs the NVA does not know (plain VLANs) are
 * skipped. A refusal from the NVA is logged: the engine's state is the reference.
 */
public final class NvaEffects implements Consumer<Effect> {
    /** The NVA refused an update the engine made (SEC-3). */
    public record NvaRefused(String effect, String reason) implements Event {
        @Override
        public String name() {
            return "nva.refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    private final Nva nva;
    private final NveId self;
    private final EventSink events;
    private final Consumer<Effect> next;
    private final Map<String, Integer> scopes = new HashMap<>();

    /** @param next effects are handed on to it (the data plane) after the NVA has them */
    public NvaEffects(Nva nva, String nnveName, EventSink events, Consumer<Effect> next) {
        this.nva = nva;
        this.self = NveId.of(nnveName);
        this.events = events;
        this.next = next;
    }

    private TsiInstance instance(Effect.Instance i) {
        return new TsiInstance(i.tsi(), self, i.port(), (int) ((VnKey.Id) i.vn()).id());
    }

    @Override
    public void accept(Effect effect) {
        switch (effect) {
            case Effect.NvaEntries e when e.instance().vn() instanceof VnKey.Id -> entries(e);
            case Effect.NvaHeld h when h.instance().vn() instanceof VnKey.Id ->
                    check(effect, nva.hold(instance(h.instance()), h.held()));
            case Effect.NvaRemove r when r.instance().vn() instanceof VnKey.Id ->
                    check(effect, nva.deassociate(instance(r.instance())));
            case Effect.NvaMove m when m.from().vn() instanceof VnKey.Id -> {
                if (m.from().port() != m.to().port()) {
                    check(effect, nva.movePort(instance(m.from()), m.to().port()));
                }
            }
            case Effect.NvaVnTag t when t.vn() instanceof VnKey.Id id -> {
                int scope = scopes.computeIfAbsent(t.scope(), s -> scopes.size());
                if (t.tag() >= 0) {
                    check(effect, nva.recordLocalTag(new LocalTag(self, scope, t.tag(), (int) id.id())));
                } else {
                    for (LocalTag lt : nva.localTags((int) id.id())) {
                        if (lt.nve().equals(self) && lt.portScope() == scope) {
                            nva.releaseLocalTag(lt);
                        }
                    }
                }
            }
            default -> {
            }
        }
        next.accept(effect);
    }

    private void entries(Effect.NvaEntries e) {
        TsiInstance i = instance(e.instance());
        Optional<TsiBinding> b = nva.binding(i);
        boolean forwarding = e.state() == Effect.EntryState.FORWARDING;
        if (e.migration() && forwarding && (b.isEmpty() || b.get().state() != EntryState.FORWARDING)) {
            nva.migrationDestination(i); // NVA-6: the activation is a live migration's destination
        }
        if (b.isEmpty()) {
            check(e, forwarding ? nva.activate(i, e.addresses()) : nva.associate(i, e.addresses()));
            return;
        }
        List<TsiAddress> have = b.get().addresses();
        if (!have.equals(e.addresses())) {
            check(e, nva.replaceAddresses(i, e.addresses()));
        }
        if (forwarding && b.get().state() != EntryState.FORWARDING) {
            check(e, nva.activate(i));
        } else if (!forwarding && b.get().state() == EntryState.FORWARDING) {
            check(e, nva.deactivate(i));
        }
    }

    private void check(Effect e, org.splitnve.nva.Decision<?> d) {
        if (d.refusal() != null) {
            events.accept(new NvaRefused(e.getClass().getSimpleName(), d.refusal() + ": "
                    + ((org.splitnve.nva.Decision.Refused<?>) d).detail()));
        }
    }
}
