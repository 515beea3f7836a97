// Boost.URL's separately compiled sources, built once for the whole project.
#include <boost/url/src.hpp>
