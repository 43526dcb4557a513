fn main() {
    bots_status::start();
}
