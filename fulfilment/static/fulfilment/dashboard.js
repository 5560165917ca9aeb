// Oscar 4.2's order page calls oscar.dashboard.orders.initTable(), which its dashboard.js does not
// define: the page logs a TypeError on every load. A no-op until Oscar defines it.
(function (oscar) {
    if (oscar && oscar.dashboard && oscar.dashboard.orders && !oscar.dashboard.orders.initTable) {
        oscar.dashboard.orders.initTable = function () {};
    }
}(window.oscar));
