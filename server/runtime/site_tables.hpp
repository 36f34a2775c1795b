// site_table_config(): a configuration's sites as http::SiteTable builds them (the http layers
// do not see config/). Pure; any thread.
#pragma once

#include "config/config.hpp"
#include "http/site/site_config.hpp"

namespace server {

http::SiteTableConfig site_table_config(const config::Config& cfg);

}  // namespace server
