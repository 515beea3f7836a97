// Asio's and Asio SSL's separately compiled sources, built once for the project.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
