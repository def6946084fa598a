// The three systems the simulator runs: an online shop (OpenTelemetry demo style), a train ticketing system
// (TrainTicket style, Java) and a social network (DeathStarBench style, C++ with caches). Each case draws
// replicas, optional services and latencies from its seed, so no two cases have the same system.
import type { Rng } from './rng.js';

export type Lang = 'java' | 'go' | 'node' | 'python' | 'dotnet' | 'cpp' | 'nginx' | 'postgres' | 'mongodb' | 'redis' | 'memcached';
export type ServiceKind = 'app' | 'db' | 'cache';

export interface CallSpec {
  readonly to: string;
  /** The callee's operation (app), or the statement/command (db, cache). */
  readonly op: string;
  readonly mode: 'sync' | 'async' | 'db' | 'cache';
  /** Probability the call is made on a request. */
  readonly p: number;
  /** Client retries after an error (sync calls). */
  readonly retries: number;
  /** On error the caller goes on (a cache miss served from the database). */
  readonly fallback: boolean;
  /** Runs alongside the previous call. */
  readonly parallel: boolean;
  /** The client gives up after this many ms (sync calls; none when absent). */
  readonly timeoutMs?: number;
}

export interface OpSpec {
  /** Span name at the server: `GET /api/cart`, `oteldemo.CartService/GetCart`, `orders process`. */
  readonly name: string;
  readonly selfMs: number;
  readonly calls: CallSpec[];
  /** Messages logged per request (placeholders: %id %user %n %ms %item %money %hex %ip). The last is the op's result line. */
  readonly logs: string[];
  readonly consumer: boolean;
}

export interface ServiceSpec {
  readonly name: string;
  readonly kind: ServiceKind;
  readonly lang: Lang;
  replicas: number;
  readonly ops: OpSpec[];
  /** Whether the service writes logs at all. */
  logs: boolean;
  /** Whether its log lines carry trace and span ids. */
  traceIds: boolean;
  readonly cpuLimitMilli: number;
  readonly memLimitMiB: number;
  readonly memBaseMiB: number;
}

export interface Topology {
  readonly name: string;
  readonly namespace: string;
  readonly services: ServiceSpec[];
  readonly entries: { service: string; op: string; weight: number }[];
  /** Requests per second at the entry, before the case's own factor. */
  readonly rate: number;
}

type CallOpts = Partial<Pick<CallSpec, 'p' | 'retries' | 'fallback' | 'parallel'>>;
const call = (mode: CallSpec['mode'], to: string, op: string, o: CallOpts = {}): CallSpec => ({
  to,
  op,
  mode,
  p: o.p ?? 1,
  retries: o.retries ?? 0,
  fallback: o.fallback ?? mode === 'cache',
  parallel: o.parallel ?? false,
});
const sync = (to: string, op: string, o?: CallOpts): CallSpec => call('sync', to, op, o);
const async = (to: string, op: string, o?: CallOpts): CallSpec => call('async', to, op, o);
const db = (to: string, op: string, o?: CallOpts): CallSpec => call('db', to, op, o);
const cache = (to: string, op: string, o?: CallOpts): CallSpec => call('cache', to, op, o);
const op = (name: string, selfMs: number, calls: CallSpec[], logs: string[], consumer = false): OpSpec => ({ name, selfMs, calls, logs, consumer });

function svc(name: string, lang: Lang, ops: OpSpec[], o: { kind?: ServiceKind; replicas?: number; logs?: boolean; traceIds?: boolean; mem?: number } = {}): ServiceSpec {
  const kind = o.kind ?? 'app';
  const memBaseMiB = o.mem ?? (lang === 'java' ? 420 : lang === 'dotnet' ? 160 : lang === 'node' ? 110 : 48);
  return {
    name,
    kind,
    lang,
    replicas: o.replicas ?? 1,
    ops,
    logs: o.logs ?? true,
    traceIds: o.traceIds ?? kind === 'app',
    cpuLimitMilli: kind === 'app' ? 500 : 1000,
    memLimitMiB: Math.round((memBaseMiB * 2.2) / 64) * 64,
    memBaseMiB,
  };
}

const dbSvc = (name: string, lang: Lang): ServiceSpec =>
  svc(name, lang, [], { kind: lang === 'redis' || lang === 'memcached' ? 'cache' : 'db', mem: lang === 'redis' || lang === 'memcached' ? 40 : 300 });

function boutique(r: Rng): Topology {
  const services: ServiceSpec[] = [
    svc('frontend', 'node', [
      op('GET /api/products', 3, [sync('product-catalog', 'oteldemo.ProductCatalogService/ListProducts'), sync('currency', 'oteldemo.CurrencyService/Convert', { p: 0.6 })], ['listing %n products for session %id']),
      op('GET /api/cart', 2, [sync('cart', 'oteldemo.CartService/GetCart', { retries: 1 }), sync('currency', 'oteldemo.CurrencyService/Convert', { p: 0.5, parallel: true })], ['cart viewed by user %user']),
      op('POST /api/cart', 2, [sync('cart', 'oteldemo.CartService/AddItem', { retries: 1 })], ['item %item added to cart of user %user']),
      op('GET /api/recommendations', 2, [sync('recommendation', 'oteldemo.RecommendationService/ListRecommendations')], ['recommendations requested for %item']),
      op('GET /api/data', 1, [sync('ad', 'oteldemo.AdService/GetAds', { fallback: true })], ['ads requested for context %item']),
      op('POST /api/checkout', 4, [sync('checkout', 'oteldemo.CheckoutService/PlaceOrder')], ['checkout started for user %user', 'order placed, id %id']),
    ], { replicas: 2 }),
    svc('product-catalog', 'go', [
      op('oteldemo.ProductCatalogService/ListProducts', 2, [db('postgres', 'SELECT catalog.products')], ['loaded %n products from catalog']),
      op('oteldemo.ProductCatalogService/GetProduct', 1, [db('postgres', 'SELECT catalog.products', { p: 0.4 })], ['product found: %item']),
    ], { replicas: 2 }),
    svc('cart', 'dotnet', [
      op('oteldemo.CartService/GetCart', 1, [cache('valkey-cart', 'HGETALL')], ['GetCartAsync called with userId=%user', 'cart of %user holds %n items']),
      op('oteldemo.CartService/AddItem', 1, [cache('valkey-cart', 'HSET', { fallback: false }), cache('valkey-cart', 'EXPIRE', { fallback: false })], ['AddItemAsync called with userId=%user, productId=%item, quantity=%n']),
      op('oteldemo.CartService/EmptyCart', 1, [cache('valkey-cart', 'DEL', { fallback: false })], ['EmptyCartAsync called with userId=%user']),
    ]),
    svc('currency', 'go', [
      op('oteldemo.CurrencyService/Convert', 0.6, [], ['conversion request successful']),
    ], { logs: false }),
    svc('recommendation', 'python', [
      op('oteldemo.RecommendationService/ListRecommendations', 3, [sync('product-catalog', 'oteldemo.ProductCatalogService/ListProducts')], ["Receive ListRecommendations for product ids:['%item', '%item']"]),
    ]),
    svc('ad', 'java', [op('oteldemo.AdService/GetAds', 2, [], ['Targeted ad request received for [%item]'])]),
    svc('checkout', 'go', [
      op('oteldemo.CheckoutService/PlaceOrder', 3, [
        sync('cart', 'oteldemo.CartService/GetCart', { retries: 2 }),
        sync('product-catalog', 'oteldemo.ProductCatalogService/GetProduct'),
        sync('product-catalog', 'oteldemo.ProductCatalogService/GetProduct', { p: 0.6 }),
        sync('currency', 'oteldemo.CurrencyService/Convert'),
        sync('shipping', 'oteldemo.ShippingService/GetQuote', { retries: 1 }),
        sync('payment', 'oteldemo.PaymentService/Charge'),
        sync('shipping', 'oteldemo.ShippingService/ShipOrder'),
        sync('cart', 'oteldemo.CartService/EmptyCart', { fallback: true }),
        sync('email', 'POST /send_order_confirmation', { fallback: true }),
        async('accounting', 'orders process'),
        async('fraud-detection', 'orders process', { parallel: true }),
      ], ['[PlaceOrder] user_id=%user user_currency=USD', 'payment went through (transaction_id: %id)', 'order confirmation email sent to %user@example.com', 'order %id placed, total %money']),
    ]),
    svc('shipping', 'go', [
      op('oteldemo.ShippingService/GetQuote', 1, [sync('quote', 'POST /getquote')], ['Received quote: %money']),
      op('oteldemo.ShippingService/ShipOrder', 1, [], ['Tracking ID Created: %id']),
    ]),
    svc('quote', 'node', [op('POST /getquote', 1.5, [], ['Calculated quote %money for %n items'])], { logs: false }),
    svc('payment', 'node', [op('oteldemo.PaymentService/Charge', 4, [], ['Charge request received.', 'Transaction complete. transactionId %id, cardType visa, amount %money'])]),
    svc('email', 'python', [op('POST /send_order_confirmation', 6, [], ['Order confirmation email sent to: %user@example.com'])]),
    svc('accounting', 'dotnet', [op('orders process', 2, [db('postgres', 'INSERT accounting.orders')], ['Order details: %id, %n items'], true)]),
    svc('fraud-detection', 'java', [op('orders process', 3, [], ['Consumed record with orderId: %id, and updated total count to: %n'], true)]),
    dbSvc('postgres', 'postgres'),
    dbSvc('valkey-cart', 'redis'),
  ];
  if (r.chance(0.6)) {
    services.push(svc('flagd', 'go', [op('flagd.evaluation.v1.Service/ResolveBoolean', 0.4, [], ['flag evaluated: %item'])], { logs: r.chance(0.5) }));
    for (const name of ['product-catalog', 'recommendation', 'ad']) {
      find(services, name).ops[0]!.calls.unshift(sync('flagd', 'flagd.evaluation.v1.Service/ResolveBoolean', { p: 0.5, fallback: true }));
    }
  }
  if (r.chance(0.5)) {
    services.push(svc('image-provider', 'nginx', [op('GET /images/products', 1, [], [])]));
    find(services, 'frontend').ops[0]!.calls.push(sync('image-provider', 'GET /images/products', { p: 0.8, parallel: true }));
  }
  return {
    name: 'shop',
    namespace: 'otel-demo',
    services,
    rate: 1.2,
    entries: [
      { service: 'frontend', op: 'GET /api/products', weight: 30 },
      { service: 'frontend', op: 'GET /api/cart', weight: 20 },
      { service: 'frontend', op: 'POST /api/cart', weight: 12 },
      { service: 'frontend', op: 'GET /api/recommendations', weight: 15 },
      { service: 'frontend', op: 'GET /api/data', weight: 12 },
      { service: 'frontend', op: 'POST /api/checkout', weight: 11 },
    ],
  };
}

function trainTicket(r: Rng): Topology {
  const ts = (name: string, ops: OpSpec[], o: { replicas?: number; logs?: boolean; traceIds?: boolean } = {}): ServiceSpec => svc(name, 'java', ops, o);
  const mongo = (name: string): ServiceSpec => dbSvc(name, 'mongodb');
  const services: ServiceSpec[] = [
    ts('ts-gateway-service', [
      op('GET /api/v1/travelservice/trips/left', 1, [sync('ts-travel-service', 'POST /api/v1/travelservice/trips/left')], []),
      op('POST /api/v1/preserveservice/preserve', 1, [sync('ts-preserve-service', 'POST /api/v1/preserveservice/preserve')], []),
      op('GET /api/v1/orderservice/order/refresh', 1, [sync('ts-order-service', 'POST /api/v1/orderservice/order/refresh')], []),
      op('POST /api/v1/users/login', 1, [sync('ts-auth-service', 'POST /api/v1/users/login')], []),
      op('GET /api/v1/foodservice/foods', 1, [sync('ts-food-service', 'GET /api/v1/foodservice/foods')], []),
      op('POST /api/v1/inside_pay_service/inside_payment', 1, [sync('ts-inside-payment-service', 'POST /api/v1/inside_pay_service/inside_payment')], []),
      op('POST /api/v1/cancelservice/cancel', 1, [sync('ts-cancel-service', 'GET /api/v1/cancelservice/cancel')], []),
    ], { replicas: 2, logs: false }),
    ts('ts-travel-service', [
      op('POST /api/v1/travelservice/trips/left', 4, [
        db('ts-travel-mongo', 'find travel.trip'),
        sync('ts-basic-service', 'POST /api/v1/basicservice/basic/travel'),
        sync('ts-seat-service', 'POST /api/v1/seatservice/seats/left_tickets'),
      ], ['[queryInfo][Query TripResponse][startPlace: %item, endPlace: %item]', '[queryInfo][Query trips success][count: %n]']),
      op('POST /api/v1/travelservice/trip_detail', 2, [db('ts-travel-mongo', 'find travel.trip'), sync('ts-basic-service', 'POST /api/v1/basicservice/basic/travel')], ['[getTripAllDetailInfo][TripId: %item]']),
    ], { replicas: 2 }),
    ts('ts-basic-service', [
      op('POST /api/v1/basicservice/basic/travel', 2, [
        sync('ts-station-service', 'POST /api/v1/stationservice/stations/idlist'),
        sync('ts-train-service', 'GET /api/v1/trainservice/trains/byName', { parallel: true }),
        sync('ts-route-service', 'GET /api/v1/routeservice/routes', { parallel: true }),
        sync('ts-price-service', 'GET /api/v1/priceservice/prices', { parallel: true }),
      ], ['[queryForTravel][Query for travel][Travel: %item]', '[queryForTravel][Travel result][price: %money]']),
    ]),
    ts('ts-station-service', [
      op('POST /api/v1/stationservice/stations/idlist', 1, [db('ts-station-mongo', 'find station.station')], ['[queryForIdBatch][Find stations by names][count: %n]']),
    ]),
    ts('ts-train-service', [op('GET /api/v1/trainservice/trains/byName', 1, [db('ts-train-mongo', 'find train.trainType')], ['[retrieveByName][Retrieve train][TrainTypeName: %item]'])]),
    ts('ts-route-service', [op('GET /api/v1/routeservice/routes', 1, [db('ts-route-mongo', 'find route.route')], ['[queryById][Query route][RouteId: %id]'])]),
    ts('ts-price-service', [op('GET /api/v1/priceservice/prices', 1, [db('ts-route-mongo', 'find price.priceConfig')], ['[findByRouteIdAndTrainType][Find price config][routeId: %id]'])], { logs: false }),
    ts('ts-seat-service', [
      op('POST /api/v1/seatservice/seats/left_tickets', 2, [
        sync('ts-order-service', 'POST /api/v1/orderservice/order/tickets'),
        sync('ts-config-service', 'GET /api/v1/configservice/configs', { parallel: true }),
      ], ['[getLeftTicketOfInterval][Get left ticket][seat number: %n]']),
      op('POST /api/v1/seatservice/seats', 2, [sync('ts-order-service', 'POST /api/v1/orderservice/order/tickets')], ['[distributeSeat][Distribute seat][seatNo: %n]']),
    ]),
    ts('ts-config-service', [op('GET /api/v1/configservice/configs', 1, [db('ts-station-mongo', 'find config.config')], ['[retrieve][Retrieve config][name: DirectTicketAllocationProportion]'])]),
    ts('ts-order-service', [
      op('POST /api/v1/orderservice/order/tickets', 2, [db('ts-order-mongo', 'find order.orders')], ['[getSoldTickets][Get sold tickets][size: %n]']),
      op('POST /api/v1/orderservice/order/refresh', 2, [db('ts-order-mongo', 'find order.orders'), sync('ts-station-service', 'POST /api/v1/stationservice/stations/idlist')], ['[queryOrdersForRefresh][Query orders][accountId: %id]', '[queryOrdersForRefresh][Query orders success][count: %n]']),
      op('POST /api/v1/orderservice/order', 2, [db('ts-order-mongo', 'insert order.orders')], ['[create][Create order][orderId: %id]', '[create][Create order success][orderId: %id, price: %money]']),
      op('GET /api/v1/orderservice/order', 1, [db('ts-order-mongo', 'find order.orders')], ['[getOrderById][Get order][orderId: %id]']),
      op('PUT /api/v1/orderservice/order/status', 1, [db('ts-order-mongo', 'update order.orders')], ['[modifyOrder][Modify order status][orderId: %id, status: %n]']),
    ], { replicas: 2 }),
    ts('ts-preserve-service', [
      op('POST /api/v1/preserveservice/preserve', 3, [
        sync('ts-security-service', 'GET /api/v1/securityservice/securityConfigs/check'),
        sync('ts-contacts-service', 'GET /api/v1/contactservice/contacts'),
        sync('ts-travel-service', 'POST /api/v1/travelservice/trip_detail'),
        sync('ts-seat-service', 'POST /api/v1/seatservice/seats'),
        sync('ts-order-service', 'POST /api/v1/orderservice/order', { retries: 1 }),
        sync('ts-assurance-service', 'POST /api/v1/assuranceservice/assurances', { p: 0.5 }),
        sync('ts-food-service', 'POST /api/v1/foodservice/orders', { p: 0.5 }),
        sync('ts-consign-service', 'POST /api/v1/consignservice/consigns', { p: 0.3 }),
        sync('ts-user-service', 'GET /api/v1/userservice/users/id'),
        async('ts-notification-service', 'ts.notification process', { p: 0.8 }),
      ], ['[preserve][Step 1][Check Security][accountId: %id]', '[preserve][Step 4][Do Order][orderId: %id]', '[preserve][Preserve success][orderId: %id]']),
    ]),
    ts('ts-security-service', [op('GET /api/v1/securityservice/securityConfigs/check', 1, [db('ts-order-mongo', 'find security.securityConfig'), sync('ts-order-service', 'POST /api/v1/orderservice/order/tickets')], ['[check][Check security][accountId: %id]', '[check][Security check success][accountId: %id]'])]),
    ts('ts-contacts-service', [op('GET /api/v1/contactservice/contacts', 1, [db('ts-contacts-mongo', 'find contacts.contacts')], ['[getContactsByContactsId][Get contacts][contactsId: %id]', '[getContactsByContactsId][Contacts found][name: %user]'])]),
    ts('ts-assurance-service', [op('POST /api/v1/assuranceservice/assurances', 1, [db('ts-assurance-mongo', 'insert assurance.assurance')], ['[createNewAssurance][Create new assurance][typeIndex: 1, orderId: %id]', '[create][AddAssurance][Success]'])]),
    ts('ts-food-service', [
      op('GET /api/v1/foodservice/foods', 2, [sync('ts-station-food-service', 'GET /api/v1/stationfoodservice/stationfoodstores'), sync('ts-train-food-service', 'GET /api/v1/trainfoodservice/trainfoods', { parallel: true }), sync('ts-travel-service', 'POST /api/v1/travelservice/trip_detail')], ['[getAllFood][Get all food][tripId: %item]', '[getAllFood][Food result][stores: %n]']),
      op('POST /api/v1/foodservice/orders', 1, [db('ts-food-mongo', 'insert food.foodOrder')], ['[createFoodOrder][Create food order][orderId: %id]']),
    ]),
    ts('ts-station-food-service', [op('GET /api/v1/stationfoodservice/stationfoodstores', 1, [db('ts-food-mongo', 'find food.stationFoodStore')], ['[getFoodStores][Get food stores][count: %n]'])]),
    ts('ts-train-food-service', [op('GET /api/v1/trainfoodservice/trainfoods', 1, [db('ts-food-mongo', 'find food.trainFood')], ['[listTrainFoodByTripId][Get train food][tripId: %item]'])]),
    ts('ts-consign-service', [op('POST /api/v1/consignservice/consigns', 1, [sync('ts-consign-price-service', 'GET /api/v1/consignpriceservice/consignprice'), db('ts-consign-mongo', 'insert consign.consign')], ['[insertConsign][Insert consign][orderId: %id]'])]),
    ts('ts-consign-price-service', [op('GET /api/v1/consignpriceservice/consignprice', 1, [db('ts-consign-mongo', 'find consign.consignPrice')], ['[getPriceByWeightAndRegion][Calculate price][weight: %n]'])], { logs: false }),
    ts('ts-user-service', [op('GET /api/v1/userservice/users/id', 1, [db('ts-user-mongo', 'find user.user')], ['[findByUserId][Find user][userId: %id]'])]),
    ts('ts-auth-service', [op('POST /api/v1/users/login', 8, [sync('ts-verification-code-service', 'GET /api/v1/verifycode/verify'), db('ts-auth-mongo', 'find auth.user')], ['[login][User login][username: %user]', '[login][Login success][userId: %id]'])]),
    ts('ts-verification-code-service', [op('GET /api/v1/verifycode/verify', 1, [cache('ts-verification-redis', 'GET')], ['[verifyCode][Verify code][code: %hex]'])]),
    ts('ts-inside-payment-service', [op('POST /api/v1/inside_pay_service/inside_payment', 2, [
      sync('ts-order-service', 'GET /api/v1/orderservice/order'),
      sync('ts-payment-service', 'POST /api/v1/paymentservice/payment'),
      sync('ts-order-service', 'PUT /api/v1/orderservice/order/status'),
    ], ['[pay][Pay for order][orderId: %id]', '[pay][Payment success][orderId: %id, price: %money]'])]),
    ts('ts-payment-service', [op('POST /api/v1/paymentservice/payment', 2, [db('ts-payment-mongo', 'insert payment.payment')], ['[pay][Pay][orderId: %id, price: %money]'])]),
    ts('ts-cancel-service', [op('GET /api/v1/cancelservice/cancel', 2, [
      sync('ts-order-service', 'GET /api/v1/orderservice/order'),
      sync('ts-inside-payment-service', 'POST /api/v1/inside_pay_service/inside_payment', { p: 0.3 }),
      sync('ts-order-service', 'PUT /api/v1/orderservice/order/status'),
      async('ts-notification-service', 'ts.notification process'),
    ], ['[cancelOrder][Cancel order][orderId: %id]', '[cancelOrder][Cancel order success][orderId: %id]'])]),
    ts('ts-notification-service', [op('ts.notification process', 3, [], ['[send][Send email][to: %user@example.com, template: order_create]'], true)]),
  ];
  for (const m of ['ts-travel-mongo', 'ts-station-mongo', 'ts-train-mongo', 'ts-route-mongo', 'ts-order-mongo', 'ts-contacts-mongo', 'ts-assurance-mongo', 'ts-food-mongo', 'ts-consign-mongo', 'ts-user-mongo', 'ts-auth-mongo', 'ts-payment-mongo']) {
    services.push(mongo(m));
  }
  services.push(dbSvc('ts-verification-redis', 'redis'));
  // Drop a few optional leaves so the system's size varies between cases (callers lose those calls).
  const dropped = new Set<string>();
  if (r.chance(0.4)) ['ts-consign-service', 'ts-consign-price-service', 'ts-consign-mongo'].forEach((s) => dropped.add(s));
  if (r.chance(0.3)) ['ts-assurance-service', 'ts-assurance-mongo'].forEach((s) => dropped.add(s));
  return prune({
    name: 'trainticket',
    namespace: 'train-ticket',
    services,
    rate: 0.7,
    entries: [
      { service: 'ts-gateway-service', op: 'GET /api/v1/travelservice/trips/left', weight: 35 },
      { service: 'ts-gateway-service', op: 'POST /api/v1/preserveservice/preserve', weight: 15 },
      { service: 'ts-gateway-service', op: 'GET /api/v1/orderservice/order/refresh', weight: 15 },
      { service: 'ts-gateway-service', op: 'POST /api/v1/users/login', weight: 10 },
      { service: 'ts-gateway-service', op: 'GET /api/v1/foodservice/foods', weight: 10 },
      { service: 'ts-gateway-service', op: 'POST /api/v1/inside_pay_service/inside_payment', weight: 8 },
      { service: 'ts-gateway-service', op: 'POST /api/v1/cancelservice/cancel', weight: 7 },
    ],
  }, dropped);
}

function social(r: Rng): Topology {
  const cpp = (name: string, ops: OpSpec[], o: { replicas?: number; logs?: boolean } = {}): ServiceSpec => svc(name, 'cpp', ops, { ...o, traceIds: false, mem: 30 });
  const services: ServiceSpec[] = [
    svc('nginx-web-server', 'nginx', [
      op('POST /wrk2-api/post/compose', 1, [sync('compose-post-service', 'compose_post_server')], []),
      op('GET /wrk2-api/home-timeline/read', 1, [sync('home-timeline-service', 'read_home_timeline_server')], []),
      op('GET /wrk2-api/user-timeline/read', 1, [sync('user-timeline-service', 'read_user_timeline_server')], []),
      op('POST /wrk2-api/user/follow', 1, [sync('social-graph-service', 'follow_server')], []),
    ], { replicas: 2 }),
    cpp('compose-post-service', [op('compose_post_server', 1, [
      sync('unique-id-service', 'compose_unique_id_server'),
      sync('text-service', 'compose_text_server', { parallel: true }),
      sync('media-service', 'compose_media_server', { parallel: true }),
      sync('user-service', 'compose_creator_with_userid_server', { parallel: true }),
      sync('post-storage-service', 'store_post_server'),
      sync('user-timeline-service', 'write_user_timeline_server', { parallel: true }),
      async('write-home-timeline-service', 'write_home_timeline process'),
    ], ['ComposePost: post %id composed by user %user'])], { replicas: 2 }),
    cpp('unique-id-service', [op('compose_unique_id_server', 0.3, [], [])], { logs: false }),
    cpp('text-service', [op('compose_text_server', 1, [
      sync('url-shorten-service', 'compose_urls_server', { parallel: true }),
      sync('user-mention-service', 'compose_user_mentions_server', { parallel: true }),
    ], ['ComposeText: %n urls, %n mentions'])]),
    cpp('url-shorten-service', [op('compose_urls_server', 0.8, [db('url-shorten-mongodb', 'insert url-shorten.url-shorten')], ['ComposeUrls: shortened %n urls'])]),
    cpp('user-mention-service', [op('compose_user_mentions_server', 0.8, [cache('user-memcached', 'get_multi'), db('user-mongodb', 'find user.user', { p: 0.2 })], ['ComposeUserMentions: %n users'])]),
    cpp('media-service', [op('compose_media_server', 0.5, [], [])], { logs: false }),
    cpp('user-service', [op('compose_creator_with_userid_server', 0.6, [cache('user-memcached', 'get'), db('user-mongodb', 'find user.user', { p: 0.1 })], ['ComposeCreatorWithUserId: user %user'])]),
    cpp('post-storage-service', [
      op('store_post_server', 1, [db('post-storage-mongodb', 'insert post.post')], ['StorePost: post %id stored']),
      op('read_posts_server', 1, [cache('post-storage-memcached', 'get_multi'), db('post-storage-mongodb', 'find post.post', { p: 0.3 })], ['ReadPosts: %n posts, %n cache misses']),
    ], { replicas: 2 }),
    cpp('user-timeline-service', [
      op('write_user_timeline_server', 1, [db('user-timeline-mongodb', 'update user-timeline.user-timeline'), cache('user-timeline-redis', 'ZADD', { fallback: false })], ['WriteUserTimeline: user %user post %id']),
      op('read_user_timeline_server', 1, [cache('user-timeline-redis', 'ZREVRANGE'), db('user-timeline-mongodb', 'find user-timeline.user-timeline', { p: 0.2 }), sync('post-storage-service', 'read_posts_server')], ['ReadUserTimeline: user %user, %n posts']),
    ]),
    cpp('home-timeline-service', [
      op('read_home_timeline_server', 1, [cache('home-timeline-redis', 'ZREVRANGE'), sync('post-storage-service', 'read_posts_server')], ['ReadHomeTimeline: user %user, %n posts']),
    ], { replicas: 2 }),
    cpp('social-graph-service', [
      op('follow_server', 1, [db('social-graph-mongodb', 'update social-graph.social-graph'), cache('social-graph-redis', 'ZADD', { fallback: false })], ['Follow: user %user follows %user']),
      op('get_followers_server', 1, [cache('social-graph-redis', 'ZRANGE'), db('social-graph-mongodb', 'find social-graph.social-graph', { p: 0.2 })], ['GetFollowers: user %user has %n followers']),
    ]),
    cpp('write-home-timeline-service', [op('write_home_timeline process', 2, [sync('social-graph-service', 'get_followers_server'), cache('home-timeline-redis', 'ZADD', { fallback: false })], ['WriteHomeTimeline: post %id fanned out to %n followers'], true)]),
  ];
  for (const [name, lang] of [
    ['url-shorten-mongodb', 'mongodb'],
    ['user-mongodb', 'mongodb'],
    ['post-storage-mongodb', 'mongodb'],
    ['user-timeline-mongodb', 'mongodb'],
    ['social-graph-mongodb', 'mongodb'],
    ['user-memcached', 'memcached'],
    ['post-storage-memcached', 'memcached'],
    ['user-timeline-redis', 'redis'],
    ['home-timeline-redis', 'redis'],
    ['social-graph-redis', 'redis'],
  ] as const) {
    services.push(dbSvc(name, lang));
  }
  if (r.chance(0.5)) {
    services.push(svc('media-frontend', 'node', [op('POST /upload-media', 6, [db('media-mongodb', 'insert media.media')], ['media %id uploaded, %n bytes'])]));
    services.push(dbSvc('media-mongodb', 'mongodb'));
    find(services, 'nginx-web-server').ops.push(op('POST /upload-media', 1, [sync('media-frontend', 'POST /upload-media')], []));
  }
  return {
    name: 'social',
    namespace: 'social-network',
    services,
    rate: 1.3,
    entries: [
      { service: 'nginx-web-server', op: 'POST /wrk2-api/post/compose', weight: 20 },
      { service: 'nginx-web-server', op: 'GET /wrk2-api/home-timeline/read', weight: 45 },
      { service: 'nginx-web-server', op: 'GET /wrk2-api/user-timeline/read', weight: 30 },
      { service: 'nginx-web-server', op: 'POST /wrk2-api/user/follow', weight: 5 },
      ...(services.some((s) => s.name === 'media-frontend') ? [{ service: 'nginx-web-server', op: 'POST /upload-media', weight: 4 }] : []),
    ],
  };
}

/** A batch job (a CronJob's pod) that reads one database hard: `statement` is the database's own dialect. */
export function batchService(name: string, database: ServiceSpec): ServiceSpec {
  const statement = database.lang === 'postgres' ? 'SELECT report.rows' : 'aggregate report.rows';
  const read = db(database.name, statement);
  return svc(name, 'python', [op('report export', 4, [read, read, read], ['exported %n rows to s3://reports/%id.csv'])]);
}

function find(services: ServiceSpec[], name: string): ServiceSpec {
  const s = services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

/** Removes services and every call to them. */
function prune(t: Topology, dropped: Set<string>): Topology {
  const services = t.services.filter((s) => !dropped.has(s.name));
  for (const s of services) for (const o of s.ops) o.calls.splice(0, o.calls.length, ...o.calls.filter((c) => !dropped.has(c.to)));
  return { ...t, services };
}

export const TOPOLOGIES = ['shop', 'trainticket', 'social'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

/** Builds a topology, with replicas and optional parts drawn from `r`. */
export function buildTopology(name: TopologyName, r: Rng): Topology {
  const t = name === 'shop' ? boutique(r) : name === 'trainticket' ? trainTicket(r) : social(r);
  for (const s of t.services) {
    if (s.kind === 'app' && s.replicas === 1 && r.chance(0.3)) s.replicas = 2;
    if (s.kind === 'app' && r.chance(0.08)) s.logs = false;
  }
  for (const e of t.entries) {
    const s = find(t.services, e.service);
    if (!s.ops.some((o) => o.name === e.op)) throw new Error(`entry ${e.service} ${e.op} is not an op`);
  }
  for (const s of t.services) {
    for (const o of s.ops) {
      for (const c of o.calls) {
        const callee = find(t.services, c.to);
        if ((c.mode === 'sync' || c.mode === 'async') && !callee.ops.some((x) => x.name === c.op)) throw new Error(`${s.name} calls ${c.to} ${c.op}: no such op`);
      }
    }
  }
  return t;
}
