package org.splitnve.tnve;

record Due(Link link, long at) {
}
